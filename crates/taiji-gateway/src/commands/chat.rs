//! `chat "prompt"`: one question through the same dispatcher the gateway uses, the answer
//! streamed to stdout as it arrives. Reasoning goes to stderr (dimmed on a terminal) so that
//! `taiji-gateway chat … > answer.txt` captures the answer alone; usage and points follow on stderr.
//!
//! Ctrl-C drops the request, which cancels it upstream and deletes its chat session.

use std::io::{IsTerminal as _, Write as _};

use futures::StreamExt as _;
use taiji_core::chat::{ChatEvent, ChatRequest, RequestSource, Usage};
use taiji_core::prompt::Transcript;
use taiji_core::runtime::{Core, SettingsOverrides};

use super::with_core;
use crate::cli::{ChatArgs, GlobalArgs};
use crate::error::{CliError, one_line};
use crate::open::{open_core, sign_in};

/// ANSI "dim" and "reset", used for reasoning only when stderr is a terminal.
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// `taiji-gateway chat`.
pub async fn run(global: &GlobalArgs, args: &ChatArgs) -> Result<(), CliError> {
    let core = open_core(global, SettingsOverrides::default()).await?;
    with_core(core, async |core| {
        sign_in(core).await?;
        tokio::select! {
            result = chat(core, args) => result,
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
        }
    })
    .await
}

async fn chat(core: &Core, args: &ChatArgs) -> Result<(), CliError> {
    let upstream = core.settings().upstream.base_url;
    let core_error = |error| CliError::from_core(error, &upstream);
    let requested = match &args.model {
        Some(model) => model.clone(),
        None => default_model(core).await.map_err(core_error)?,
    };
    let model = core.resolve_model(&requested).await.map_err(core_error)?;
    let prompt = core
        .build_prompt(&Transcript::single_user(args.prompt.clone()), &model)
        .await
        .map_err(core_error)?;
    let source = RequestSource {
        api: "cli".to_owned(),
        key_name: None,
        user_agent: Some(format!("taiji-gateway/{}", env!("CARGO_PKG_VERSION"))),
    };
    let mut request = ChatRequest::new(model, prompt.text, prompt.files, source);
    request.endpoint = "cli".to_owned();
    request.stream = true;

    let mut printer = Printer::new();
    let mut stream = core.dispatch(request);
    let mut usage = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(ChatEvent::ReasoningDelta(text)) => printer.reasoning(&text)?,
            Ok(ChatEvent::TextDelta(text)) => printer.text(&text)?,
            Ok(ChatEvent::Usage(reported)) => usage = Some(reported),
            Ok(ChatEvent::Finished { model_label }) => {
                printer.finish()?;
                report(usage, model_label.as_deref());
                return Ok(());
            }
            Err(error) => {
                printer.finish()?;
                return Err(match error {
                    taiji_core::dispatch::DispatchError::Upstream(upstream_error) => {
                        CliError::from_upstream(&upstream_error, &upstream)
                    }
                    other => CliError::Other(one_line(&other.to_string())),
                });
            }
        }
    }
    printer.finish()?;
    Err(CliError::Other(
        "internal error: the answer ended without a result".to_owned(),
    ))
}

/// The site's default model, else the first in the catalog.
async fn default_model(core: &Core) -> Result<String, taiji_core::runtime::CoreError> {
    let catalog = core.catalog().await?;
    Ok(catalog
        .default_model
        .clone()
        .or_else(|| catalog.models.first().map(|m| m.id.clone()))
        .unwrap_or_default())
}

/// Usage and points, on stderr.
fn report(usage: Option<Usage>, model_label: Option<&str>) {
    let model = model_label.map(|label| format!("{label} · ")).unwrap_or_default();
    match usage {
        Some(usage) => eprintln!(
            "[{model}tokens: {} in, {} out, {} total · points: {}]",
            usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, usage.points
        ),
        None => eprintln!("[{model}no usage reported]"),
    }
}

/// Writes answer text to stdout and reasoning to stderr, flushing after every piece so the
/// answer appears as it streams, and ends both with a newline.
struct Printer {
    dim: bool,
    reasoning_open: bool,
    text_written: bool,
    text_ends_with_newline: bool,
}

impl Printer {
    fn new() -> Self {
        Self {
            dim: std::io::stderr().is_terminal(),
            reasoning_open: false,
            text_written: false,
            text_ends_with_newline: false,
        }
    }

    fn reasoning(&mut self, text: &str) -> Result<(), CliError> {
        let mut stderr = std::io::stderr().lock();
        let (start, end) = if self.dim { (DIM, RESET) } else { ("", "") };
        write!(stderr, "{start}{text}{end}")
            .and_then(|()| stderr.flush())
            .map_err(CliError::Output)?;
        self.reasoning_open = true;
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), CliError> {
        self.close_reasoning()?;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(CliError::Output)?;
        if !text.is_empty() {
            self.text_written = true;
            self.text_ends_with_newline = text.ends_with('\n');
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), CliError> {
        self.close_reasoning()?;
        if self.text_written && !self.text_ends_with_newline {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(b"\n")
                .and_then(|()| stdout.flush())
                .map_err(CliError::Output)?;
            self.text_ends_with_newline = true;
        }
        Ok(())
    }

    /// Ends the reasoning with a blank line so the answer starts on its own.
    fn close_reasoning(&mut self) -> Result<(), CliError> {
        if self.reasoning_open {
            self.reasoning_open = false;
            let mut stderr = std::io::stderr().lock();
            stderr.write_all(b"\n\n").map_err(CliError::Output)?;
        }
        Ok(())
    }
}
