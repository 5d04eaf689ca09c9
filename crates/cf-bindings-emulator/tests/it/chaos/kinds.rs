//! Rates 0 and 1, each kind of fault as chaos plays it, seeds that reproduce a
//! run, and the fraction of faulty requests near the rate.

use super::*;

#[tokio::test]
async fn rate_zero_injects_nothing() {
    let emu = start_chaos(Chaos::new(0.0, 1)).await;
    for i in 0..50 {
        assert_eq!(list(&emu).await, Seen::normal(200));
        assert_eq!(get_base(&emu).await, Seen::normal(200));
        assert_eq!(services(&emu).await, Seen::normal(200));
        assert_eq!(list_prefixes(&emu).await, Seen::normal(200));
        assert_eq!(get_prefix(&emu).await, Seen::normal(200));
        assert_eq!(
            create(&emu, &format!("203.0.113.{i}/32")).await,
            Seen::normal(201)
        );
    }
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["enabled"], true);
    assert_eq!(status["requests"], 300);
    assert_eq!(status["injected"], json!({}));
    assert_eq!(cidrs_without_chaos(&emu).await.len(), 51);
}

/// With rate 1 and one kind, every request of every operation gets that fault, and
/// the fault does what the fault table says.
#[tokio::test]
async fn rate_one_with_one_kind_plays_it_on_every_request_as_documented() {
    let emu = start().await;
    let cases: [(&str, Seen, bool); 7] = [
        (
            "rate_limit",
            Seen::Answer {
                status: 429,
                json: true,
                success: Some(false),
                retry_after: Some("3".to_owned()),
                html: false,
            },
            false,
        ),
        (
            "http_error",
            Seen::Answer {
                status: 502,
                json: false,
                success: None,
                retry_after: None,
                html: true,
            },
            false,
        ),
        (
            "unsuccessful",
            Seen::Answer {
                status: 200,
                json: true,
                success: Some(false),
                retry_after: None,
                html: false,
            },
            false,
        ),
        (
            "malformed_json",
            Seen::Answer {
                status: 200,
                json: false,
                success: None,
                retry_after: None,
                html: false,
            },
            false,
        ),
        ("drop_before_commit", Seen::Dropped, false),
        ("drop_after_commit", Seen::Dropped, true),
        (
            "truncated_json",
            Seen::Answer {
                status: 201,
                json: false,
                success: None,
                retry_after: None,
                html: false,
            },
            true,
        ),
    ];
    for (n, (kind, expected_create, commits)) in cases.into_iter().enumerate() {
        set_chaos(
            &emu,
            json!({"rate": 1.0, "seed": n, "kinds": [kind], "retry_after": 3}),
        )
        .await;
        let cidr = format!("203.0.113.{n}/32");
        let answer = create(&emu, &cidr).await;
        assert_eq!(answer, expected_create, "{kind}");
        // The reads get the same fault (a truncated one keeps the read's status).
        let read_expected = match &expected_create {
            Seen::Answer {
                status: 201,
                json,
                success,
                retry_after,
                html,
            } => Seen::Answer {
                status: 200,
                json: *json,
                success: *success,
                retry_after: retry_after.clone(),
                html: *html,
            },
            other => other.clone(),
        };
        assert_eq!(list(&emu).await, read_expected, "{kind}: list");
        assert_eq!(get_base(&emu).await, read_expected, "{kind}: get");
        assert_eq!(services(&emu).await, read_expected, "{kind}: list services");
        assert_eq!(
            list_prefixes(&emu).await,
            read_expected,
            "{kind}: list prefixes"
        );
        assert_eq!(get_prefix(&emu).await, read_expected, "{kind}: get prefix");
        let (_, status) = control(&emu, Method::GET, None).await;
        assert_eq!(status["requests"], 6, "{kind}");
        assert_eq!(status["injected"], json!({ kind: 6 }), "{kind}");
        let recent: Vec<&str> = status["recent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["operation"].as_str().unwrap())
            .collect();
        assert_eq!(
            recent,
            [
                "create",
                "list",
                "get",
                "list_services",
                "list_prefixes",
                "get_prefix"
            ],
            "{kind}"
        );
        let live = cidrs_without_chaos(&emu).await;
        assert_eq!(live.contains(&cidr), commits, "{kind}: {live:?}");
    }
}

#[tokio::test]
async fn drop_after_commit_leaves_a_delete_done() {
    let emu = start().await;
    assert_eq!(
        create(&emu, "203.0.113.7/32").await,
        Seen::normal(201),
        "before chaos"
    );
    let id = emu
        .list(DEMO_IPV4_PREFIX_ID)
        .await
        .iter()
        .find(|b| b["cidr"] == "203.0.113.7/32")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    set_chaos(&emu, json!({"rate": 1, "kinds": ["drop_after_commit"]})).await;
    assert_eq!(delete(&emu, &id).await, Seen::Dropped);
    assert_eq!(cidrs_without_chaos(&emu).await, ["203.0.113.0/24"]);
}

#[tokio::test]
async fn a_delay_answers_normally_after_it() {
    let emu = start_chaos(Chaos {
        max_delay: Duration::from_millis(100),
        ..Chaos::new(1.0, 3).with_kinds([FaultKind::Delay])
    })
    .await;
    // Each request is answered within seconds ([`ANSWER_BOUND`]), or the test fails.
    let started = Instant::now();
    for i in 0..20 {
        assert_eq!(list(&emu).await, Seen::normal(200));
        assert_eq!(
            create(&emu, &format!("203.0.113.{i}/32")).await,
            Seen::normal(201)
        );
    }
    // 40 delays drawn from 0 to 100 ms with this seed: far more than a second in all.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["injected"], json!({"delay": 40}));
    assert_eq!(status["max_delay_ms"], 100);
    assert_eq!(cidrs_without_chaos(&emu).await.len(), 21);
}

/// What 120 reads see, in order.
async fn read_sequence(emu: &Emu) -> Vec<Seen> {
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(list(emu).await);
        out.push(get_base(emu).await);
        out.push(services(emu).await);
    }
    out
}

#[tokio::test]
async fn a_seed_reproduces_the_same_faults() {
    let every_kind = json!({"rate": 0.5, "seed": 42, "max_delay_ms": 0});
    let emu = start().await;
    set_chaos(&emu, every_kind.clone()).await;
    let first = read_sequence(&emu).await;
    let (_, first_status) = control(&emu, Method::GET, None).await;
    // Setting the same seed again starts the same draws again.
    set_chaos(&emu, every_kind.clone()).await;
    assert_eq!(read_sequence(&emu).await, first);
    let (_, again_status) = control(&emu, Method::GET, None).await;
    assert_eq!(again_status, first_status);
    // So does a new emulator started with the same settings.
    let started = start_chaos(Chaos {
        max_delay: Duration::ZERO,
        ..Chaos::new(0.5, 42)
    })
    .await;
    assert_eq!(read_sequence(&started).await, first);
    // The sequence does show faults, of several kinds...
    let faulty = first
        .iter()
        .filter(|s| {
            !matches!(
                s,
                Seen::Answer {
                    success: Some(true),
                    ..
                }
            )
        })
        .count();
    assert!((30..=90).contains(&faulty), "{faulty} of 120: {first:?}");
    let kinds = first_status["injected"].as_object().unwrap();
    assert!(kinds.len() >= 6, "{kinds:?}");
    // ...and another seed gives other faults.
    set_chaos(&emu, json!({"rate": 0.5, "seed": 43, "max_delay_ms": 0})).await;
    assert_ne!(read_sequence(&emu).await, first);
}

#[tokio::test]
async fn the_fraction_of_faulty_requests_is_near_the_rate() {
    let emu = start().await;
    for (rate, seed) in [(0.2, 7), (0.4, 8), (0.05, 9)] {
        set_chaos(
            &emu,
            json!({"rate": rate, "seed": seed, "kinds": ["unsuccessful"]}),
        )
        .await;
        let mut refused = 0;
        let requests = 1000;
        for _ in 0..requests {
            if list(&emu).await != Seen::normal(200) {
                refused += 1;
            }
        }
        let fraction = f64::from(refused) / f64::from(requests);
        assert!(
            (fraction - rate).abs() <= 0.03,
            "rate {rate}, seed {seed}: {refused} of {requests}"
        );
        let (_, status) = control(&emu, Method::GET, None).await;
        assert_eq!(status["injected"]["unsuccessful"], refused);
    }
}
