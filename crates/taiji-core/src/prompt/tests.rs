//! Tests of prompt building: the text format, the image rules, and image downloads from a local
//! HTTP server.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::*;

fn model(multimodal: bool) -> ModelInfo {
    ModelInfo {
        id: if multimodal { "gpt-4o" } else { "deepseek-chat" }.to_owned(),
        label: "Test".to_owned(),
        group: "test".to_owned(),
        price_points: Some(1),
        price_text: "1积分".to_owned(),
        multimodal,
        ..ModelInfo::default()
    }
}

/// The image clients (they ignore proxy variables, so loopback requests stay on this machine).
fn client() -> ImageClients {
    ImageClients::new().unwrap()
}

fn limits(max_count: usize, max_bytes: usize) -> FileLimits {
    FileLimits { max_count, max_bytes }
}

fn user(text: &str) -> Turn {
    Turn::text(Role::User, text)
}

fn assistant(text: &str) -> Turn {
    Turn::text(Role::Assistant, text)
}

fn png_data_url(tag: u8) -> String {
    format!(
        "data:image/png;base64,{}",
        BASE64.encode([0x89, b'P', b'N', b'G', tag])
    )
}

fn image(tag: u8) -> Part {
    Part::Image(ImageSource::DataUrl(png_data_url(tag)))
}

async fn build(
    transcript: &Transcript,
    model: &ModelInfo,
    limits: FileLimits,
) -> Result<BuiltPrompt, PromptError> {
    build_prompt(transcript, model, limits, &client(), &PromptOptions::default()).await
}

#[test]
fn formatting_table() {
    let cases: Vec<(&str, Transcript, &str)> = vec![
        (
            "single plain message is sent as-is",
            Transcript::single_user("hi there"),
            "hi there",
        ),
        (
            "system prompt and one message",
            Transcript {
                system: vec!["Be terse.".into()],
                turns: vec![user("hi")],
            },
            "系统提示：Be terse.\n\n用户：hi",
        ),
        (
            "several system prompts share one block",
            Transcript {
                system: vec!["A".into(), "B".into()],
                turns: vec![user("q")],
            },
            "系统提示：A\n\nB\n\n用户：q",
        ),
        (
            "history without system prompt",
            Transcript {
                system: vec![],
                turns: vec![user("2+2?"), assistant("4"), user("times 3?")],
            },
            "用户：2+2?\n\n助手：4\n\n用户：times 3?",
        ),
        (
            "tool results are labelled",
            Transcript {
                system: vec![],
                turns: vec![
                    user("weather?"),
                    assistant("[call get_weather]"),
                    Turn::text(Role::Tool, "sunny"),
                ],
            },
            "用户：weather?\n\n助手：[call get_weather]\n\n工具结果：sunny",
        ),
        (
            "empty turns and blank system prompts are skipped",
            Transcript {
                system: vec!["  ".into()],
                turns: vec![user("a"), assistant(""), user("b")],
            },
            "用户：a\n\n用户：b",
        ),
        (
            "text parts of one turn are joined by a line break",
            Transcript {
                system: vec!["S".into()],
                turns: vec![Turn {
                    role: Role::User,
                    parts: vec![Part::Text("x".into()), Part::Text("y".into())],
                }],
            },
            "系统提示：S\n\n用户：x\ny",
        ),
        (
            "a trailing assistant turn is kept for the model to continue",
            Transcript {
                system: vec![],
                turns: vec![user("Say hi"), assistant("Hi")],
            },
            "用户：Say hi\n\n助手：Hi",
        ),
        (
            "a mid-conversation system message stays at its place, labelled",
            Transcript {
                system: vec!["S".into()],
                turns: vec![user("say pong"), Turn::text(Role::System, "# Environment")],
            },
            "系统提示：S\n\n用户：say pong\n\n系统提示：# Environment",
        ),
        (
            "multi-line content stays intact",
            Transcript {
                system: vec![],
                turns: vec![user("line 1\nline 2"), assistant("ok"), user("more")],
            },
            "用户：line 1\nline 2\n\n助手：ok\n\n用户：more",
        ),
    ];
    for (name, transcript, expected) in cases {
        assert_eq!(render_text(&transcript).as_deref(), Ok(expected), "{name}");
    }
}

#[test]
fn a_single_message_keeps_its_exact_text() {
    let text = "  用户：not a label, just text\n\n";
    assert_eq!(render_text(&Transcript::single_user(text)).as_deref(), Ok(text));
}

#[test]
fn no_user_message_is_an_error() {
    let only_system = Transcript {
        system: vec!["S".into()],
        turns: vec![],
    };
    let only_assistant = Transcript {
        system: vec![],
        turns: vec![assistant("hello")],
    };
    let empty_user = Transcript::single_user("   ");
    let empty_user_with_system = Transcript {
        system: vec!["S".into()],
        turns: vec![user("")],
    };
    let only_system_turn = Transcript {
        system: vec![],
        turns: vec![Turn::text(Role::System, "reminder")],
    };
    for transcript in [
        only_system,
        only_assistant,
        empty_user,
        empty_user_with_system,
        only_system_turn,
    ] {
        assert_eq!(
            render_text(&transcript),
            Err(PromptError::NoUserMessage),
            "{transcript:?}"
        );
    }
}

#[tokio::test]
async fn images_become_files_and_a_single_message_stays_unlabelled() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Text("what is this?".into()), image(1), image(2)],
        }],
    };
    let built = build(&transcript, &model(true), FileLimits::default())
        .await
        .unwrap();
    assert_eq!(built.text, "what is this?");
    assert_eq!(
        built.files,
        [
            UpstreamFile {
                name: "image-1.png".into(),
                data: png_data_url(1)
            },
            UpstreamFile {
                name: "image-2.png".into(),
                data: png_data_url(2)
            },
        ]
    );
}

#[tokio::test]
async fn images_to_a_text_only_model_are_refused() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Text("look".into()), image(1)],
        }],
    };
    let error = build(&transcript, &model(false), FileLimits::default())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        PromptError::ImagesNotSupported {
            model: "deepseek-chat".into()
        }
    );
    assert!(error.to_string().contains("does not accept images"));
}

#[tokio::test]
async fn tool_result_images_that_do_not_fit_become_markers() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![
            user("take a screenshot"),
            assistant("calling"),
            Turn {
                role: Role::Tool,
                parts: vec![
                    Part::Text("[result of Screenshot]\ndone".into()),
                    image(1),
                    image(2),
                ],
            },
        ],
    };
    let built = build(&transcript, &model(false), FileLimits::default())
        .await
        .unwrap();
    assert!(built.files.is_empty());
    assert!(
        built
            .text
            .ends_with("工具结果：[result of Screenshot]\ndone\n[图片（未附上）]\n[图片（未附上）]")
    );
    let built = build(&transcript, &model(true), limits(1, 1024)).await.unwrap();
    assert_eq!(built.files.len(), 1);
    assert!(
        built.text.ends_with("done\n[图片（未附上）]\n[图片 1]"),
        "{}",
        built.text
    );
}

#[tokio::test]
async fn too_many_images_in_the_current_message_are_refused() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![image(1), image(2), image(3)],
        }],
    };
    let error = build(&transcript, &model(true), limits(2, 1024))
        .await
        .unwrap_err();
    assert_eq!(error, PromptError::TooManyImages { max: 2 });
    assert!(build(&transcript, &model(true), limits(3, 1024)).await.is_ok());
}

#[tokio::test]
async fn older_images_beyond_the_limit_are_left_out_with_a_marker() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![
            Turn {
                role: Role::User,
                parts: vec![image(1), Part::Text("first".into())],
            },
            assistant("a cat"),
            Turn {
                role: Role::User,
                parts: vec![image(2), Part::Text("second".into())],
            },
            assistant("a dog"),
            Turn {
                role: Role::User,
                parts: vec![Part::Text("compare".into()), image(3)],
            },
        ],
    };
    let built = build(&transcript, &model(true), limits(2, 1024)).await.unwrap();
    assert_eq!(
        built.text,
        "用户：[图片（未附上）]\nfirst\n\n助手：a cat\n\n用户：[图片 1]\nsecond\n\n助手：a dog\n\n用户：compare\n[图片 2]"
    );
    let names_and_data: Vec<_> = built
        .files
        .iter()
        .map(|file| (file.name.as_str(), file.data.clone()))
        .collect();
    assert_eq!(
        names_and_data,
        [("image-1.png", png_data_url(2)), ("image-2.png", png_data_url(3))]
    );
}

#[tokio::test]
async fn history_images_for_a_text_only_model_are_left_out() {
    let transcript = Transcript {
        system: vec![],
        turns: vec![
            Turn {
                role: Role::User,
                parts: vec![image(1), Part::Text("what is it?".into())],
            },
            assistant("a cat"),
            user("tell me more"),
        ],
    };
    let built = build(&transcript, &model(false), FileLimits::default())
        .await
        .unwrap();
    assert_eq!(
        built.text,
        "用户：[图片（未附上）]\nwhat is it?\n\n助手：a cat\n\n用户：tell me more"
    );
    assert!(built.files.is_empty());
}

#[tokio::test]
async fn oversized_and_malformed_data_urls_are_refused() {
    let big = format!("data:image/png;base64,{}", BASE64.encode(vec![0u8; 2048]));
    let transcript = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Image(ImageSource::DataUrl(big))],
        }],
    };
    assert_eq!(
        build(&transcript, &model(true), limits(5, 1024)).await,
        Err(PromptError::ImageTooLarge { max_mb: 1 })
    );
    let bad = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Image(ImageSource::DataUrl(
                "data:text/plain;base64,aGk=".into(),
            ))],
        }],
    };
    assert!(matches!(
        build(&bad, &model(true), FileLimits::default()).await,
        Err(PromptError::BadDataUrl { .. })
    ));
}

/// The bytes the test server serves as a PNG.
const SERVED_PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image body";

/// Starts a loopback server with one route per download outcome.
async fn image_server() -> SocketAddr {
    let app = Router::new()
        .route(
            "/ok.png",
            get(|| async { ([(CONTENT_TYPE, "image/png")], SERVED_PNG) }),
        )
        .route(
            "/photo",
            get(|| async { ([(CONTENT_TYPE, "image/jpeg; charset=binary")], SERVED_PNG) }),
        )
        .route(
            "/big.png",
            get(|| async { ([(CONTENT_TYPE, "image/png")], vec![0u8; 4096]) }),
        )
        .route(
            "/big-chunked.png",
            get(|| async {
                // No content length: the limit must be enforced while reading.
                let chunks = futures::stream::iter(
                    (0..16).map(|_| Ok::<_, std::convert::Infallible>(bytes::Bytes::from(vec![1u8; 512]))),
                );
                ([(CONTENT_TYPE, "image/png")], Body::from_stream(chunks))
            }),
        )
        .route(
            "/page.html",
            get(|| async { ([(CONTENT_TYPE, "text/html")], "<html>hi</html>") }),
        )
        .route(
            "/vector.svg",
            get(|| async { ([(CONTENT_TYPE, "image/svg+xml")], "<svg/>") }),
        )
        .route(
            "/to-unspecified",
            get(
                |axum::extract::Query(query): axum::extract::Query<
                    std::collections::HashMap<String, String>,
                >| async move {
                    let target = format!("http://0.0.0.0:{}/ok.png", query["port"]);
                    (
                        axum::http::StatusCode::FOUND,
                        [(axum::http::header::LOCATION, target)],
                    )
                },
            ),
        )
        .route(
            "/missing.png",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, "no") }),
        )
        .route(
            "/slow.png",
            get(|| async {
                // Never answers: only the client's timeout can end this request.
                std::future::pending::<()>().await;
                "unreachable"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn url_message(url: String) -> Transcript {
    Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Text("see".into()), Part::Image(ImageSource::Url(url))],
        }],
    }
}

/// Downloads with the LAN setting on, because the test server listens on loopback.
async fn fetch_one(url: String) -> Result<BuiltPrompt, PromptError> {
    fetch_with(url, true).await
}

async fn fetch_with(url: String, allow_private_hosts: bool) -> Result<BuiltPrompt, PromptError> {
    let options = PromptOptions {
        image_fetch_timeout: Duration::from_millis(500),
        allow_private_hosts,
    };
    build_prompt(
        &url_message(url),
        &model(true),
        limits(5, 1024),
        &client(),
        &options,
    )
    .await
}

#[tokio::test]
async fn image_urls_are_downloaded_and_inlined() {
    let addr = image_server().await;
    let built = fetch_one(format!("http://{addr}/ok.png")).await.unwrap();
    assert_eq!(built.text, "see");
    assert_eq!(
        built.files,
        [UpstreamFile {
            name: "image-1.png".into(),
            data: format!("data:image/png;base64,{}", BASE64.encode(SERVED_PNG))
        }]
    );
    let jpeg = fetch_one(format!("http://{addr}/photo")).await.unwrap();
    assert_eq!(jpeg.files[0].name, "image-1.jpg");
    assert!(jpeg.files[0].data.starts_with("data:image/jpeg;base64,"));
}

#[tokio::test]
async fn image_downloads_enforce_the_size_limit() {
    let addr = image_server().await;
    for path in ["big.png", "big-chunked.png"] {
        let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(format!("http://{addr}/{path}")).await
        else {
            panic!("{path} must be refused");
        };
        assert!(reason.starts_with("larger than"), "{path}: {reason}");
    }
}

#[tokio::test]
async fn image_downloads_require_a_supported_image_type() {
    let addr = image_server().await;
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(format!("http://{addr}/page.html")).await
    else {
        panic!("an HTML page must be refused");
    };
    assert!(reason.contains("not an image"), "{reason}");
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(format!("http://{addr}/vector.svg")).await
    else {
        panic!("an SVG must be refused");
    };
    assert!(reason.contains("unsupported image type"), "{reason}");
}

#[tokio::test]
async fn slow_image_servers_time_out() {
    let addr = image_server().await;
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(format!("http://{addr}/slow.png")).await
    else {
        panic!("a server that never answers must time out");
    };
    assert!(reason.contains("within 0.5 s"), "{reason}");
}

#[tokio::test]
async fn failed_downloads_do_not_reveal_url_secrets() {
    let addr = image_server().await;
    let error = fetch_one(format!("http://{addr}/missing.png?token=SECRET123"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        PromptError::ImageFetch {
            url: format!("http://{addr}/missing.png?…"),
            reason: "the server answered HTTP 404".into()
        }
    );
    assert_eq!(error.to_string(), "could not use this image URL");
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one("ftp://127.0.0.1/x.png".into()).await else {
        panic!("ftp must be refused");
    };
    assert!(reason.contains("only http and https"), "{reason}");
}

#[tokio::test]
async fn unreachable_image_hosts_are_reported() {
    // Bind and drop a listener to get a loopback port that refuses connections.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(format!("http://{closed}/x.png")).await
    else {
        panic!("a refused connection must be reported");
    };
    assert_eq!(reason, "could not connect to the server");
}

#[tokio::test]
async fn limits_are_checked_before_any_download() {
    let addr = image_server().await;
    let transcript = Transcript {
        system: vec![],
        turns: vec![Turn {
            role: Role::User,
            parts: vec![Part::Image(ImageSource::Url(format!("http://{addr}/slow.png")))],
        }],
    };
    // The slow route would time out; the refusal must come first, without fetching.
    let options = PromptOptions {
        image_fetch_timeout: Duration::from_secs(3600),
        allow_private_hosts: true,
    };
    let result = build_prompt(
        &transcript,
        &model(false),
        FileLimits::default(),
        &client(),
        &options,
    )
    .await;
    assert_eq!(
        result,
        Err(PromptError::ImagesNotSupported {
            model: "deepseek-chat".into()
        })
    );
}

#[tokio::test]
async fn image_urls_on_this_machine_are_refused_by_default() {
    let addr = image_server().await;
    let port = addr.port();
    for url in [
        format!("http://{addr}/ok.png"),
        format!("http://localhost:{port}/ok.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/ok.png"),
        format!("http://2130706433:{port}/ok.png"),
        format!("http://0.0.0.0:{port}/ok.png"),
    ] {
        let error = fetch_with(url.clone(), false).await.unwrap_err();
        let PromptError::ImageFetch { reason, .. } = &error else {
            panic!("{url}: {error:?}");
        };
        assert_eq!(reason, "the image host is not allowed", "{url}");
        assert_eq!(error.to_string(), "could not use this image URL", "{url}");
    }
}

#[tokio::test]
async fn redirects_are_checked_again() {
    let addr = image_server().await;
    // Linux connects 0.0.0.0 to this machine, so following this redirect would reach the server.
    let url = format!("http://{addr}/to-unspecified?port={}", addr.port());
    let Err(PromptError::ImageFetch { reason, .. }) = fetch_one(url).await else {
        panic!("a redirect to 0.0.0.0 must be refused");
    };
    assert_eq!(reason, "the image host is not allowed");
}
