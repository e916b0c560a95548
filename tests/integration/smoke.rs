//! The simulator starts on an ephemeral loopback port and answers the unauthenticated catalog probe
//! with the Taiji envelope, proving the test harness itself works.

#[tokio::test]
async fn simulator_starts_on_loopback_and_speaks_the_envelope() {
    let sim = taiji_sim::Simulator::start(taiji_sim::SimConfig::default())
        .await
        .expect("start sim");
    let body: serde_json::Value = reqwest::get(format!("{}/api/user/info", sim.base_url()))
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["code"], 2,
        "an unauthenticated call must be refused as 登录已过期: {body}"
    );
}
