//! The demo shop (演示店铺) seeded into an empty database, so `kefu serve` is usable at once.

use crate::auth::hash_password;
use kefu_core::ids::{QuickPhraseId, ShopId, UserId};
use kefu_core::quick_phrase::QuickPhrase;
use kefu_core::inbox::Inbox;
use kefu_core::shop::{Role, Shop, User, UserCredentials};
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_store::SqlStore;

/// The demo shop's widget key (used by `/demo`).
pub const DEMO_WIDGET_KEY: &str = "demo";
/// The demo logins' password.
pub const DEMO_PASSWORD: &str = "kefu-demo";
/// The demo logins: email, name, role.
pub const DEMO_USERS: [(&str, &str, Role); 4] = [
    ("owner@demo.kefu", "王店长", Role::Owner),
    ("supervisor@demo.kefu", "李主管", Role::Supervisor),
    ("agent1@demo.kefu", "小美", Role::Agent),
    ("agent2@demo.kefu", "小帅", Role::Agent),
];

/// The demo shop's shop-wide quick phrases: title, text.
pub const DEMO_PHRASES: [(&str, &str); 6] = [
    ("问候", "亲，您好，很高兴为您服务，请问有什么可以帮您？"),
    ("催发货", "亲，已为您催促发货，仓库会尽快安排，请您耐心等待。"),
    ("等待致谢", "感谢您的耐心等待，让您久等了。"),
    ("查询物流", "亲，请提供一下订单号，我马上为您查询物流信息。"),
    ("退换货", "亲，支持七天无理由退换货，您可以在订单详情页申请售后。"),
    ("结束语", "感谢您的咨询，祝您生活愉快，有问题随时联系我们哦。"),
];

/// Create the demo shop and its people when the database has no shop at all.
pub async fn seed_if_empty(inbox: &Inbox<SqlStore>) -> anyhow::Result<bool> {
    let store = inbox.store();
    if !store.shops().await?.is_empty() {
        return Ok(false);
    }
    let now = inbox.now();
    let shop = Shop { id: ShopId::new(), name: "演示店铺".into(), widget_key: DEMO_WIDGET_KEY.into(), created_at: now };
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertShop(shop.clone()));
    let ids: Vec<UserId> = DEMO_USERS.iter().map(|_| UserId::new()).collect();
    for ((email, name, role), id) in DEMO_USERS.into_iter().zip(ids.iter().copied()) {
        let password_hash = hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
        cs.push(Change::InsertUser(UserCredentials {
            user: User {
                id,
                shop_id: shop.id,
                email: email.into(),
                display_name: name.into(),
                role,
                // Capacity lives in the routing document; 0 = the default (10).
                capacity: 0,
                created_at: now,
                language: None,
            },
            password_hash,
        }));
    }
    // Who works in which department, so every default workflow can be walked in the demo:
    // 小美 and 小帅 serve customers, 小帅 is also technical, 李主管 reviews complaints (法务)
    // and manages, 王店长 manages and runs the supply chain.
    let [owner, supervisor, agent1, agent2] = [ids[0], ids[1], ids[2], ids[3]];
    for mut d in kefu_core::tickets::defaults::departments(shop.id) {
        d.members = match d.key.as_str() {
            "service" => vec![agent1, agent2, supervisor],
            "legal" => vec![supervisor],
            "tech" => vec![agent2],
            "management" => vec![owner, supervisor],
            _ => vec![owner],
        };
        cs.push(Change::PutDepartment(d));
    }
    for (title, text) in DEMO_PHRASES {
        cs.push(Change::PutQuickPhrase(QuickPhrase {
            id: QuickPhraseId::new(),
            shop_id: shop.id,
            owner_user_id: None,
            title: title.into(),
            text: text.into(),
            created_at: now,
            updated_at: now,
        }));
    }
    store.apply(cs).await?;
    tracing::info!(shop = %shop.id, "seeded the demo shop");
    Ok(true)
}

/// The demo shop's knowledge base (FAQs, a stock flow) and catalogue, as data.
const DEMO_KB: &str = include_str!("../demo/kb.json");
const DEMO_PRODUCTS: &str = include_str!("../demo/products.json");

/// Give the freshly seeded demo shop its bot: a knowledge base and two products with stock.
pub async fn seed_bot(inbox: &std::sync::Arc<Inbox<SqlStore>>) -> anyhow::Result<()> {
    let Some(shop) = inbox.store().shop_by_widget_key(DEMO_WIDGET_KEY).await? else { return Ok(()) };
    let kb: kefu_core::bot::KnowledgeBase = serde_json::from_str(DEMO_KB)?;
    anyhow::ensure!(kb.problems().is_empty(), "the demo knowledge base has problems: {:?}", kb.problems());
    #[derive(serde::Deserialize)]
    struct DemoProduct {
        sku: String,
        name: String,
        price_cents: i64,
        images: Vec<String>,
        stock: Vec<kefu_core::orders::VariantStock>,
        #[serde(default)]
        attributes: std::collections::BTreeMap<String, String>,
    }
    let products: Vec<DemoProduct> = serde_json::from_str(DEMO_PRODUCTS)?;
    let mut cs = ChangeSet::default();
    for p in products {
        cs.push(Change::PutProduct(kefu_core::orders::Product {
            id: kefu_core::ids::ProductId::for_sku(shop.id, &p.sku),
            shop_id: shop.id,
            sku: p.sku,
            name: p.name,
            price_cents: p.price_cents,
            stock: p.stock,
            images: p.images,
            attributes: p.attributes,
            updated_at: inbox.now(),
        }));
    }
    inbox.store().apply(cs).await?;
    inbox.save_knowledge_base(shop.id, &kb, Some(0), None, "demo").await?;
    Ok(())
}

/// Whether the demo shop exists (to print its logins).
pub async fn exists(inbox: &Inbox<SqlStore>) -> bool {
    matches!(inbox.store().shop_by_widget_key(DEMO_WIDGET_KEY).await, Ok(Some(_)))
}
