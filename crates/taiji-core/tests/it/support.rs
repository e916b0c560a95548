//! Small helpers more than one test module uses. The gateway harness is `gateway_support`.

/// The text of SSE frames as one string, as a client reads the stream.
pub fn text_of(frames: &[bytes::Bytes]) -> String {
    frames
        .iter()
        .map(|frame| String::from_utf8_lossy(frame).into_owned())
        .collect()
}

/// A core in `dir` (credentials in a file there) against the Taiji site at `site`.
pub fn core_options(dir: &std::path::Path, site: &str) -> taiji_core::runtime::CoreOptions {
    taiji_core::runtime::CoreOptions {
        data_dir: dir.to_owned(),
        credential_backend: taiji_core::credentials::BackendChoice::File,
        overrides: taiji_core::runtime::SettingsOverrides {
            upstream_base_url: Some(site.to_owned()),
            ..taiji_core::runtime::SettingsOverrides::default()
        },
        demo: false,
    }
}

/// The core of [`core_options`], opened.
pub async fn open_core(dir: &std::path::Path, site: &str) -> taiji_core::runtime::Core {
    taiji_core::runtime::Core::open(core_options(dir, site))
        .await
        .expect("core opens")
}

/// A core against the simulator, signed in with its demo account (unless `dir` already holds
/// credentials).
pub async fn signed_in_core(sim: &taiji_sim::Simulator, dir: &std::path::Path) -> taiji_core::runtime::Core {
    let core = open_core(dir, sim.base_url()).await;
    if !core.has_credentials() {
        core.login(taiji_sim::DEMO_ACCOUNT, taiji_sim::DEMO_PASSWORD)
            .await
            .expect("login");
    }
    core
}

/// One stream encoder as the template tests drive it: its opening frames, `encode` and
/// `encode_into`.
pub trait TemplateEncoder {
    fn opening(&mut self) -> Vec<bytes::Bytes>;
    fn encode(&mut self, event: &taiji_core::api::output::OutputEvent) -> Vec<bytes::Bytes>;
    fn encode_into(&mut self, event: &taiji_core::api::output::OutputEvent, out: &mut bytes::BytesMut);
}

/// Feeds `events` and an ordinary finish to two fresh copies of an encoder, one serialising every
/// frame (`encode`), the other writing into its templates (`encode_into`); returns both outputs.
pub fn encode_both<E: TemplateEncoder>(
    mut whole: E,
    mut templated: E,
    events: &[taiji_core::api::output::OutputEvent],
) -> (String, String) {
    use taiji_core::api::output::{Finish, OutputEvent, StopReason};
    let mut expected = Vec::new();
    let mut written = bytes::BytesMut::new();
    for frame in whole.opening() {
        expected.extend_from_slice(&frame);
    }
    for frame in templated.opening() {
        written.extend_from_slice(&frame);
    }
    let finish = OutputEvent::Finished(Finish {
        reason: StopReason::EndTurn,
        usage: taiji_core::chat::Usage::default(),
        usage_estimated: false,
        reasoning_tokens: 0,
    });
    for event in events.iter().chain([&finish]) {
        for frame in whole.encode(event) {
            expected.extend_from_slice(&frame);
        }
        templated.encode_into(event, &mut written);
    }
    (
        String::from_utf8_lossy(&expected).into_owned(),
        String::from_utf8_lossy(&written).into_owned(),
    )
}

/// Resolves `model` (as a client names it), builds the prompt of one user `text` and dispatches it:
/// the path of one chat request through the core, without the gateway.
pub async fn dispatch_one(
    core: &taiji_core::runtime::Core,
    model: &str,
    text: &str,
) -> taiji_core::dispatch::ChatStream {
    let model = core.resolve_model(model).await.expect("model resolves");
    let built = core
        .build_prompt(&taiji_core::prompt::Transcript::single_user(text), &model)
        .await
        .expect("prompt");
    core.dispatch(taiji_core::chat::ChatRequest::new(
        model,
        built.text,
        built.files,
        taiji_core::chat::RequestSource::default(),
    ))
}
