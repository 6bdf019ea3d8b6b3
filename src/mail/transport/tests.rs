//! MailUrl parsing, secrecy of the password, and the memory transport.

use super::*;

fn smtp(raw: &str) -> SmtpServer {
    match MailUrl::parse(raw).unwrap() {
        MailUrl::Smtp(server) => server,
        other => panic!("{raw} parsed as {other}"),
    }
}

fn error(raw: &str) -> String {
    let err = MailUrl::parse(raw).unwrap_err().to_string();
    assert!(err.starts_with("GUIDEPOST_MAIL_URL: "), "{err}");
    err
}

#[test]
fn smtp_requires_starttls_on_the_submission_port_by_default() {
    let server = smtp("smtp://mail.example.com");
    assert_eq!((server.host.as_str(), server.port, server.security), ("mail.example.com", 587, SmtpSecurity::StartTls));
    assert_eq!(server.user, None);
    assert_eq!(smtp("smtp://mail.example.com:2525?tls=opportunistic").security, SmtpSecurity::Opportunistic);
    assert_eq!(smtp("smtp://127.0.0.1:1025?tls=none").security, SmtpSecurity::None);
    assert_eq!(smtp("smtp://[::1]:25?tls=none").host, "::1");
    let implicit = smtp("smtps://mail.example.com");
    assert_eq!((implicit.port, implicit.security), (465, SmtpSecurity::Implicit));
}

#[test]
fn credentials_are_percent_decoded() {
    let server = smtp("smtps://noreply%40example.com:p%40ss%3Aw%2Frd@mail.example.com:4650");
    assert_eq!(server.user.as_deref(), Some("noreply@example.com"));
    assert_eq!(server.password, Some(Password("p@ss:w/rd".into())));
    assert_eq!(server.port, 4650);
}

#[test]
fn the_password_never_shows() {
    let url = MailUrl::parse("smtp://mailer:hunter2%21@mail.example.com?tls=opportunistic").unwrap();
    assert_eq!(url.to_string(), "smtp://mailer:***@mail.example.com:587?tls=opportunistic");
    assert_eq!(format!("{url:?}"), "MailUrl(smtp://mailer:***@mail.example.com:587?tls=opportunistic)");
    let MailUrl::Smtp(server) = &url else { panic!("not smtp") };
    let shown = format!("{server:?} {:?}", url.transport().unwrap());
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(MailUrl::parse("smtps://h.example").unwrap().to_string(), "smtps://h.example:465");
}

#[test]
fn send_errors_never_hold_the_password() {
    let password = Password("hunter2".into());
    assert_eq!(scrub("535 bad credentials hunter2".into(), Some(&password)), "535 bad credentials ***");
    assert_eq!(scrub("refused".into(), None), "refused");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://mailer:hunter2@127.0.0.1:{port}?tls=none");
    let transport = MailUrl::parse(&url).unwrap().transport().unwrap();
    let message = Message::builder()
        .from("a@example.com".parse().unwrap())
        .to("b@example.com".parse().unwrap())
        .body(String::from("hi"))
        .unwrap();
    let err = transport.send(&message).unwrap_err();
    assert!(err.contains("Connection refused") && !err.contains("hunter2"), "{err}");
}

#[test]
fn file_and_memory() {
    assert_eq!(MailUrl::parse("file://data/mail").unwrap(), MailUrl::File("data/mail".into()));
    assert_eq!(MailUrl::parse("file:///var/mail/gp").unwrap(), MailUrl::File("/var/mail/gp".into()));
    assert_eq!(MailUrl::parse("memory://").unwrap(), MailUrl::Memory);
    assert_eq!(MailUrl::parse("file:///srv/x").unwrap().to_string(), "file:///srv/x");
}

#[test]
fn mistakes_name_the_setting_and_the_problem() {
    assert!(error("").contains("is empty"));
    assert!(error("smtpx://mail.example.com").contains("unsupported scheme `smtpx`"));
    assert!(error("mail.example.com").contains("not a valid URL"));
    assert!(error("smtp://mail.example.com?tls=maybe").contains("tls=maybe"));
    assert!(error("smtps://mail.example.com?tls=none").contains("smtps:// always uses TLS"));
    assert!(error("smtp://mail.example.com?port=25").contains("unknown option `port`"));
    assert!(error("smtp://mail.example.com/inbox").contains("no path"));
    assert!(error("file://").contains("needs a folder"));
    assert!(error("memory://x").contains("takes nothing"));
    let no_user = error("smtp://:topsecret@mail.example.com");
    assert!(no_user.contains("user name and a password") && !no_user.contains("topsecret"), "{no_user}");
    let bad_utf8 = error("smtp://u:%FF%FEtopsecret@mail.example.com");
    assert!(!bad_utf8.contains("topsecret"), "{bad_utf8}");
}

#[test]
fn the_sender_must_be_a_mailbox() {
    assert_eq!(parse_sender("Support <help@example.com>").unwrap().email.to_string(), "help@example.com");
    let err = parse_sender("help at example").unwrap_err();
    assert_eq!(err.setting, "GUIDEPOST_MAIL_FROM");
}

#[test]
fn the_memory_transport_keeps_what_it_sends() {
    let transport = MailUrl::Memory.transport().unwrap();
    let message = Message::builder()
        .from("a@example.com".parse().unwrap())
        .to("b@example.com".parse().unwrap())
        .subject("Hello")
        .body(String::from("hi"))
        .unwrap();
    transport.send(&message).unwrap();
    let kept = transport.clone().memory().unwrap().messages();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].to, ["b@example.com"]);
    assert!(kept[0].raw.contains("Subject: Hello"), "{}", kept[0].raw);
}
