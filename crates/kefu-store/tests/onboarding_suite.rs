//! Onboarding rows against SQLite always and PostgreSQL when `KEFU_TEST_PG_URL` is set:
//! one-time links used once, withdrawn by kind and email, platform tokens, shop profile and
//! suspension, deactivation, ending a person's credentials, a person's language, paging shops.

use kefu_core::access::{ApiToken, Scope, Session};
use kefu_core::ids::*;
use kefu_core::onboarding::{Grant, OnboardToken, PlatformToken, TokenKind};
use kefu_core::shop::Role;
use kefu_core::store::{Change, Store, StoreError};
use kefu_store::SqlStore;

#[macro_use]
#[allow(dead_code)]
mod common;
use common::*;

suite!(links_are_used_once_and_withdrawn_by_kind_and_email, shops_people_and_platform_tokens);

fn link(shop: Option<ShopId>, kind: TokenKind, email: &str, hash: &str) -> OnboardToken {
    OnboardToken {
        id: CredentialId::new(),
        kind,
        shop_id: shop,
        secret_hash: hash.into(),
        email: email.into(),
        grant: Grant { role: Some(Role::Agent), teams: vec!["presale".into()], capacity: Some(4), ..Grant::default() },
        created_by: None,
        created_at: 1,
        expires_at: Some(1_000),
        used_at: None,
        revoked_at: None,
    }
}

async fn links_are_used_once_and_withdrawn_by_kind_and_email(store: &SqlStore, _db: &Db) {
    let (s, _, _) = seeded(store).await;
    let a = link(Some(s.id), TokenKind::Invitation, "a@x.cn", "h-a");
    let b = link(Some(s.id), TokenKind::Invitation, "b@x.cn", "h-b");
    let setup = link(None, TokenKind::Setup, "", "h-setup");
    apply(store, vec![Change::PutOnboardToken(a.clone()), Change::PutOnboardToken(b.clone()), Change::PutOnboardToken(setup.clone())]).await.unwrap();
    assert_eq!(store.onboard_token("h-a").await.unwrap(), Some(a.clone()));
    apply(store, vec![Change::UseOnboardToken { id: a.id, at: 5 }]).await.unwrap();
    let again = apply(store, vec![Change::UseOnboardToken { id: a.id, at: 6 }]).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    assert_eq!(store.onboard_token("h-a").await.unwrap().unwrap().used_at, Some(5));
    // Withdrawing b's invitations leaves the setup link; withdrawing setup links leaves b's.
    apply(store, vec![Change::RevokeOnboardTokens { shop_id: None, kind: TokenKind::Setup, id: None, email: None, at: 7 }]).await.unwrap();
    assert_eq!(store.onboard_token("h-setup").await.unwrap().unwrap().revoked_at, Some(7));
    assert_eq!(store.onboard_token("h-b").await.unwrap().unwrap().revoked_at, None);
    apply(store, vec![Change::RevokeOnboardTokens { shop_id: Some(s.id), kind: TokenKind::Invitation, id: None, email: Some("b@x.cn".into()), at: 8 }]).await.unwrap();
    assert_eq!(store.onboard_token("h-b").await.unwrap().unwrap().revoked_at, Some(8));
    let used_link_untouched = store.onboard_token("h-a").await.unwrap().unwrap();
    assert_eq!(used_link_untouched.revoked_at, None);
    let withdrawn = apply(store, vec![Change::UseOnboardToken { id: b.id, at: 9 }]).await;
    assert!(withdrawn.is_err());
    assert_eq!(store.onboard_tokens(s.id, TokenKind::Invitation).await.unwrap().len(), 2);
    assert_eq!(store.invitations_for("b@x.cn").await.unwrap().len(), 1);
}

async fn shops_people_and_platform_tokens(store: &SqlStore, _db: &Db) {
    let (s, _, _) = seeded(store).await;
    let other = shop("乙店");
    apply(store, vec![Change::InsertShop(other.clone()), Change::SetShopProfile { shop_id: other.id, time_zone: "-05:00".into(), language: "en".into() }]).await.unwrap();
    let p = store.shop_profile(other.id).await.unwrap().unwrap();
    assert_eq!((p.time_zone.as_str(), p.language.as_str(), p.suspended_at), ("-05:00", "en", None));
    assert_eq!(store.shop_profile(s.id).await.unwrap().unwrap().time_zone, "+08:00", "the default for older shops");
    apply(store, vec![Change::SetShopSuspended { shop_id: other.id, at: Some(3) }]).await.unwrap();
    assert_eq!(store.suspended_shops().await.unwrap(), vec![other.id]);
    let first = store.shops_page(None, 1).await.unwrap();
    let second = store.shops_page(Some(first[0].0.id), 10).await.unwrap();
    assert_eq!(first.len() + second.len(), 2);
    assert_ne!(first[0].0.id, second[0].0.id);

    let u = user(s.id, "Mei@X.cn", Role::Agent);
    let uid = u.user.id;
    apply(store, vec![Change::InsertUser(u)]).await.unwrap();
    assert!(store.email_taken(&store.people(s.id).await.unwrap().iter().find(|p| p.user.id == uid).unwrap().user.email).await.unwrap());
    let session = Session { id: CredentialId::new(), shop_id: s.id, user_id: uid, secret_hash: "sess".into(), created_at: 1, expires_at: i64::MAX };
    let token = ApiToken { id: CredentialId::new(), shop_id: s.id, user_id: uid, name: "t".into(), scopes: vec![Scope::ConversationsRead], secret_hash: "tok".into(), created_at: 1, revoked_at: None };
    apply(store, vec![Change::InsertSession(session), Change::InsertApiToken(token)]).await.unwrap();
    apply(
        store,
        vec![
            Change::SetUserDeactivated { shop_id: s.id, user_id: uid, at: Some(10) },
            Change::EndUserCredentials { shop_id: s.id, user_id: uid, at: 10 },
            Change::RenameUser { shop_id: s.id, user_id: uid, display_name: "小美".into() },
            Change::TouchUser { shop_id: s.id, user_id: uid, at: 9 },
        ],
    )
    .await
    .unwrap();
    assert!(store.session("sess").await.unwrap().is_none());
    assert_eq!(store.api_token("tok").await.unwrap().unwrap().revoked_at, Some(10));
    let person = store.person(s.id, uid).await.unwrap().unwrap();
    assert_eq!((person.deactivated_at, person.last_seen_at, person.user.display_name.as_str()), (Some(10), Some(9), "小美"));
    assert!(store.person(other.id, uid).await.unwrap().is_none(), "scoped by shop");

    // A person's own interface language (migration 0018): none, English, then none again.
    assert_eq!(store.user(s.id, uid).await.unwrap().unwrap().language, None);
    apply(store, vec![Change::SetUserLanguage { shop_id: s.id, user_id: uid, language: Some(kefu_i18n::Lang::En) }]).await.unwrap();
    assert_eq!(store.user(s.id, uid).await.unwrap().unwrap().language, Some(kefu_i18n::Lang::En));
    assert_eq!(store.person(s.id, uid).await.unwrap().unwrap().user.language, Some(kefu_i18n::Lang::En));
    apply(store, vec![Change::SetUserLanguage { shop_id: other.id, user_id: uid, language: Some(kefu_i18n::Lang::ZhCn) }]).await.unwrap();
    assert_eq!(store.user(s.id, uid).await.unwrap().unwrap().language, Some(kefu_i18n::Lang::En), "scoped by shop");
    apply(store, vec![Change::SetUserLanguage { shop_id: s.id, user_id: uid, language: None }]).await.unwrap();
    assert_eq!(store.user(s.id, uid).await.unwrap().unwrap().language, None);

    let pt = PlatformToken { id: CredentialId::new(), name: "抖店".into(), secret_hash: "plat".into(), created_at: 1, revoked_at: None };
    apply(store, vec![Change::InsertPlatformToken(pt.clone())]).await.unwrap();
    assert_eq!(store.platform_token("plat").await.unwrap(), Some(pt));
    assert_eq!(store.platform_token("nope").await.unwrap(), None);
}
