//! `Store` for `SqlStore`: writes go to the writer, reads to the pool. Every read filters by
//! shop, so no caller can reach another shop's rows by id.

use crate::rows::{self, CONVERSATION_SELECT, MESSAGE_SELECT};
use crate::{backend_error, SqlStore};
use kefu_core::audit::AuditRecord;
use kefu_core::access::{ApiToken, Session};
use kefu_core::conversation::{Conversation, Status};
use kefu_core::customer::{Channel, Customer, Identity};
use kefu_core::event::Event;
use kefu_core::ids::{ConversationId, CustomerId, MessageId, ShopId, UserId};
use kefu_core::message::Message;
use kefu_core::shop::{Shop, User, UserCredentials};
use kefu_core::store::{ChangeSet, ConversationFilter, Store, StoreError};
use kefu_core::ids::TicketId;
use kefu_core::tickets::sla::Calendar;
use kefu_core::tickets::{Department, Ticket, TicketFilter, Workflow};
use kefu_core::ids::QuickPhraseId;
use kefu_core::quick_phrase::QuickPhrase;
use sqlx::any::AnyRow;
use sqlx::Row;

type Rows = Result<Vec<AnyRow>, StoreError>;

/// The condition that keeps internal notes out of everything the customer reads.
const FOR_CUSTOMER: &str = "direction <> 'internal'";

impl SqlStore {
    async fn fetch<'q>(&self, q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Rows {
        q.fetch_all(&self.read).await.map_err(backend_error)
    }

    async fn fetch_one_opt<'q>(&self, q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<Option<AnyRow>, StoreError> {
        q.fetch_optional(&self.read).await.map_err(backend_error)
    }
}

fn all<T>(rows: Vec<AnyRow>, f: impl Fn(&AnyRow) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}

impl Store for SqlStore {
    async fn apply(&self, changes: ChangeSet) -> Result<(), StoreError> {
        self.submit(changes).await
    }

    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT * FROM shop WHERE id = $1").bind(id.to_string())).await?;
        row.as_ref().map(rows::shop).transpose()
    }

    async fn shop_by_widget_key(&self, key: &str) -> Result<Option<Shop>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT * FROM shop WHERE widget_key = $1").bind(key.to_string())).await?;
        row.as_ref().map(rows::shop).transpose()
    }

    async fn shops(&self) -> Result<Vec<Shop>, StoreError> {
        all(self.fetch(sqlx::query("SELECT * FROM shop ORDER BY created_at")).await?, rows::shop)
    }

    async fn user(&self, shop: ShopId, id: UserId) -> Result<Option<User>, StoreError> {
        let row = self
            .fetch_one_opt(sqlx::query("SELECT * FROM app_user WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string()))
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserCredentials>, StoreError> {
        let row = self
            .fetch_one_opt(sqlx::query("SELECT * FROM app_user WHERE email = $1").bind(email.trim().to_lowercase()))
            .await?;
        row.as_ref().map(rows::user_credentials).transpose()
    }

    async fn users(&self, shop: ShopId) -> Result<Vec<User>, StoreError> {
        all(
            self.fetch(sqlx::query("SELECT * FROM app_user WHERE shop_id = $1 ORDER BY created_at, id").bind(shop.to_string())).await?,
            rows::user,
        )
    }

    async fn customer(&self, shop: ShopId, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        let row = self
            .fetch_one_opt(sqlx::query("SELECT * FROM customer WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string()))
            .await?;
        row.as_ref().map(|r| rows::customer(r, self.sealer.as_ref())).transpose()
    }

    async fn identity(&self, shop: ShopId, channel: Channel, external_id: &str) -> Result<Option<Identity>, StoreError> {
        let row = self
            .fetch_one_opt(
                sqlx::query("SELECT * FROM identity WHERE shop_id = $1 AND channel = $2 AND external_id = $3")
                    .bind(shop.to_string())
                    .bind(channel.as_str())
                    .bind(crate::addresses::stored_external_id(channel, external_id)),
            )
            .await?;
        row.as_ref().map(|r| rows::identity(r, self.sealer.as_ref())).transpose()
    }

    async fn customer_by_key(&self, shop: ShopId, kind: &str, value_hash: &str) -> Result<Option<CustomerId>, StoreError> {
        let q = sqlx::query("SELECT customer_id FROM customer_key WHERE shop_id = $1 AND kind = $2 AND value_hash = $3")
            .bind(shop.to_string())
            .bind(kind.to_string())
            .bind(value_hash.to_string());
        self.fetch_one_opt(q).await?.map(|r| rows::id(&r, "customer_id")).transpose()
    }

    async fn merged_into(&self, shop: ShopId, into: CustomerId) -> Result<Vec<CustomerId>, StoreError> {
        let q = sqlx::query("SELECT id FROM customer WHERE shop_id = $1 AND merged_into = $2 ORDER BY created_at").bind(shop.to_string()).bind(into.to_string());
        all(self.fetch(q).await?, |r| rows::id(r, "id"))
    }

    async fn identities_of(&self, shop: ShopId, customer: CustomerId) -> Result<Vec<Identity>, StoreError> {
        all(
            self.fetch(
                sqlx::query("SELECT * FROM identity WHERE shop_id = $1 AND customer_id = $2 ORDER BY created_at")
                    .bind(shop.to_string())
                    .bind(customer.to_string()),
            )
            .await?,
            |r| rows::identity(r, self.sealer.as_ref()),
        )
    }

    async fn conversation(&self, shop: ShopId, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        let sql = format!("{CONVERSATION_SELECT} WHERE c.shop_id = $1 AND c.id = $2");
        let row = self.fetch_one_opt(sqlx::query(&sql).bind(shop.to_string()).bind(id.to_string())).await?;
        row.map(|r| rows::conversation(&r, self.sealer.as_ref())).transpose()
    }

    async fn open_conversation_of(&self, shop: ShopId, customer: CustomerId) -> Result<Option<Conversation>, StoreError> {
        let sql = format!(
            "{CONVERSATION_SELECT} WHERE c.shop_id = $1 AND c.customer_id = $2 AND c.status <> 'closed' ORDER BY c.created_at DESC LIMIT 1"
        );
        let row = self.fetch_one_opt(sqlx::query(&sql).bind(shop.to_string()).bind(customer.to_string())).await?;
        row.map(|r| rows::conversation(&r, self.sealer.as_ref())).transpose()
    }

    async fn conversations(&self, shop: ShopId, filter: &ConversationFilter) -> Result<Vec<Conversation>, StoreError> {
        let mut sql = format!("{CONVERSATION_SELECT} WHERE c.shop_id = $1");
        let mut n = 1;
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter.statuses.iter().map(|_| { n += 1; format!("${n}") }).collect();
            sql.push_str(&format!(" AND c.status IN ({})", marks.join(", ")));
        }
        if filter.agent_id.is_some() {
            n += 1;
            sql.push_str(&format!(" AND c.agent_id = ${n}"));
        }
        n += 1;
        sql.push_str(&format!(" ORDER BY c.updated_at DESC, c.id DESC LIMIT ${n}"));
        let mut q = sqlx::query(&sql).bind(shop.to_string());
        for s in &filter.statuses {
            q = q.bind(s.as_str());
        }
        if let Some(a) = filter.agent_id {
            q = q.bind(a.to_string());
        }
        let limit = if filter.limit == 0 { 50 } else { filter.limit.min(500) };
        q = q.bind(limit as i64);
        all(self.fetch(q).await?, |r| rows::conversation(r, self.sealer.as_ref()))
    }

    async fn active_conversations(&self) -> Result<Vec<Conversation>, StoreError> {
        let sql = format!("{CONVERSATION_SELECT} WHERE c.status IN ($1, $2, $3)");
        let q = sqlx::query(&sql).bind(Status::Bot.as_str()).bind(Status::Queued.as_str()).bind(Status::Assigned.as_str());
        all(self.fetch(q).await?, |r| rows::conversation(r, self.sealer.as_ref()))
    }

    async fn message_by_dedupe(&self, shop: ShopId, key: &str) -> Result<Option<Message>, StoreError> {
        let sql = format!("{MESSAGE_SELECT} WHERE shop_id = $1 AND dedupe_key = $2");
        let row = self.fetch_one_opt(sqlx::query(&sql).bind(shop.to_string()).bind(key.to_string())).await?;
        row.map(|r| rows::message(&r, self.sealer.as_ref())).transpose()
    }

    async fn messages_of_conversation(&self, shop: ShopId, conversation: ConversationId, after_seq: i64, limit: u32) -> Result<Vec<Message>, StoreError> {
        let sql = format!("{MESSAGE_SELECT} WHERE shop_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT $4");
        let q = sqlx::query(&sql).bind(shop.to_string()).bind(conversation.to_string()).bind(after_seq).bind(limit.clamp(1, 1000) as i64);
        all(self.fetch(q).await?, |r| rows::message(r, self.sealer.as_ref()))
    }

    async fn messages_of_customer(&self, shop: ShopId, customer: CustomerId, after_seq: Option<i64>, limit: u32) -> Result<Vec<Message>, StoreError> {
        let limit = limit.clamp(1, 1000) as i64;
        let mut out = match after_seq {
            Some(after) => {
                let sql = format!("{MESSAGE_SELECT} WHERE shop_id = $1 AND customer_id = $2 AND seq > $3 AND {FOR_CUSTOMER} ORDER BY seq LIMIT $4");
                let q = sqlx::query(&sql).bind(shop.to_string()).bind(customer.to_string()).bind(after).bind(limit);
                all(self.fetch(q).await?, |r| rows::message(r, self.sealer.as_ref()))?
            }
            None => {
                let sql = format!("{MESSAGE_SELECT} WHERE shop_id = $1 AND customer_id = $2 AND {FOR_CUSTOMER} ORDER BY seq DESC LIMIT $3");
                let q = sqlx::query(&sql).bind(shop.to_string()).bind(customer.to_string()).bind(limit);
                all(self.fetch(q).await?, |r| rows::message(r, self.sealer.as_ref()))?
            }
        };
        out.sort_by_key(|m| m.seq);
        Ok(out)
    }

    async fn session(&self, secret_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT * FROM session WHERE secret_hash = $1").bind(secret_hash.to_string())).await?;
        row.as_ref().map(rows::session).transpose()
    }

    async fn api_token(&self, secret_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT * FROM api_token WHERE secret_hash = $1").bind(secret_hash.to_string())).await?;
        row.as_ref().map(rows::api_token).transpose()
    }

    async fn api_tokens(&self, shop: ShopId) -> Result<Vec<ApiToken>, StoreError> {
        all(
            self.fetch(sqlx::query("SELECT * FROM api_token WHERE shop_id = $1 ORDER BY created_at").bind(shop.to_string())).await?,
            rows::api_token,
        )
    }

    async fn ticket(&self, shop: ShopId, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT doc_key_id, doc FROM ticket WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string())).await?;
        row.map(|r| rows::ticket(&r, self.sealer.as_ref())).transpose()
    }

    async fn tickets(&self, shop: ShopId, filter: &TicketFilter) -> Result<Vec<Ticket>, StoreError> {
        let mut sql = String::from("SELECT doc_key_id, doc FROM ticket WHERE shop_id = $1");
        let mut binds: Vec<String> = vec![shop.to_string()];
        let mut add = |col: &str, v: Option<String>, sql: &mut String| {
            if let Some(v) = v {
                binds.push(v);
                sql.push_str(&format!(" AND {col} = ${}", binds.len()));
            }
        };
        add("state", filter.state.clone(), &mut sql);
        add("department", filter.department.clone(), &mut sql);
        add("ticket_type", filter.ticket_type.clone(), &mut sql);
        add("assignee_id", filter.assignee_id.map(|i| i.to_string()), &mut sql);
        add("customer_id", filter.customer_id.map(|i| i.to_string()), &mut sql);
        if filter.open_only {
            sql.push_str(" AND closed = 0");
        }
        let limit = if filter.limit == 0 { 100 } else { filter.limit.min(10_000) };
        sql.push_str(&format!(" ORDER BY updated_at DESC, id DESC LIMIT {limit}"));
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        all(self.fetch(q).await?, |r| rows::ticket(r, self.sealer.as_ref()))
    }

    async fn open_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        all(self.fetch(sqlx::query("SELECT doc_key_id, doc FROM ticket WHERE closed = 0")).await?, |r| rows::ticket(r, self.sealer.as_ref()))
    }

    async fn max_ticket_number(&self, shop: ShopId) -> Result<i64, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT MAX(number) AS n FROM ticket WHERE shop_id = $1").bind(shop.to_string())).await?;
        Ok(row.and_then(|r| r.try_get::<Option<i64>, _>("n").ok().flatten()).unwrap_or(0))
    }

    async fn workflows(&self, shop: ShopId) -> Result<Vec<Workflow>, StoreError> {
        all(self.fetch(sqlx::query("SELECT doc FROM ticket_workflow WHERE shop_id = $1 ORDER BY ticket_type").bind(shop.to_string())).await?, rows::workflow)
    }

    async fn departments(&self, shop: ShopId) -> Result<Vec<Department>, StoreError> {
        all(self.fetch(sqlx::query("SELECT * FROM department WHERE shop_id = $1 ORDER BY key").bind(shop.to_string())).await?, rows::department)
    }

    async fn calendar(&self, shop: ShopId) -> Result<Option<Calendar>, StoreError> {
        let row = self.fetch_one_opt(sqlx::query("SELECT doc FROM shop_calendar WHERE shop_id = $1").bind(shop.to_string())).await?;
        row.as_ref().map(rows::calendar).transpose()
    }

    async fn events(&self, shop: ShopId, after_pos: i64, limit: u32) -> Result<Vec<(i64, Event)>, StoreError> {
        let q = sqlx::query("SELECT * FROM event WHERE shop_id = $1 AND pos > $2 ORDER BY pos LIMIT $3")
            .bind(shop.to_string())
            .bind(after_pos)
            .bind(limit.clamp(1, 10_000) as i64);
        all(self.fetch(q).await?, rows::event)
    }

    async fn message(&self, shop: ShopId, id: MessageId) -> Result<Option<Message>, StoreError> {
        let sql = format!("{MESSAGE_SELECT} WHERE shop_id = $1 AND id = $2");
        let row = self.fetch_one_opt(sqlx::query(&sql).bind(shop.to_string()).bind(id.to_string())).await?;
        row.map(|r| rows::message(&r, self.sealer.as_ref())).transpose()
    }

    async fn setting(&self, shop: ShopId, key: &str) -> Result<Option<String>, StoreError> {
        let q = sqlx::query("SELECT doc FROM shop_setting WHERE shop_id = $1 AND key = $2").bind(shop.to_string()).bind(key.to_string());
        self.fetch_one_opt(q).await?.map(|r| r.try_get::<String, _>("doc").map_err(backend_error)).transpose()
    }

    async fn shop_default_language(&self, shop: ShopId) -> Result<Option<String>, StoreError> {
        Ok(self.shop_profile(shop).await?.map(|p| p.language))
    }

    async fn customer_prechat(&self, shop: ShopId, customer: CustomerId) -> Result<Option<String>, StoreError> {
        self.read_customer_prechat(shop, customer).await
    }

    async fn setting_versions(&self, shop: ShopId, key: &str, limit: u32) -> Result<Vec<kefu_core::settings_version::SettingVersion>, StoreError> {
        self.read_setting_versions(shop, key, limit).await
    }

    async fn setting_version(&self, shop: ShopId, key: &str, version: i64) -> Result<Option<kefu_core::settings_version::SettingVersion>, StoreError> {
        self.read_setting_version(shop, key, version).await
    }

    async fn orders_of_customer(&self, shop: ShopId, customer: CustomerId, limit: u32) -> Result<Vec<kefu_core::orders::Order>, StoreError> {
        self.read_orders_of_customer(shop, customer, limit).await
    }

    async fn order_by_external(&self, shop: ShopId, external_id: &str) -> Result<Option<kefu_core::orders::Order>, StoreError> {
        self.read_order_by_external(shop, external_id).await
    }

    async fn kb_latest(&self, shop: ShopId) -> Result<Option<kefu_core::bot::KbVersion>, StoreError> {
        self.read_kb_latest(shop).await
    }

    async fn kb_version(&self, shop: ShopId, version: i64) -> Result<Option<kefu_core::bot::KbVersion>, StoreError> {
        self.read_kb_version(shop, version).await
    }

    async fn kb_history(&self, shop: ShopId, limit: u32) -> Result<Vec<kefu_core::bot::KbVersion>, StoreError> {
        self.read_kb_history(shop, limit).await
    }

    async fn bot_state(&self, shop: ShopId, conversation: ConversationId) -> Result<Option<String>, StoreError> {
        self.read_bot_state(shop, conversation).await
    }

    async fn bot_questions(&self, shop: ShopId, status: &str, limit: u32) -> Result<Vec<kefu_core::bot::learning::BotQuestion>, StoreError> {
        self.read_bot_questions(shop, status, limit).await
    }

    async fn bot_question(&self, shop: ShopId, key: &str) -> Result<Option<kefu_core::bot::learning::BotQuestion>, StoreError> {
        self.read_bot_question(shop, key).await
    }

    async fn product_names(&self, shop: ShopId, limit: u32) -> Result<Vec<(String, String)>, StoreError> {
        self.read_product_names(shop, limit).await
    }

    async fn product_by_sku(&self, shop: ShopId, sku: &str) -> Result<Option<kefu_core::orders::Product>, StoreError> {
        self.read_product_by_sku(shop, sku).await
    }

    async fn channel_by_id(&self, id: kefu_core::ids::ChannelId) -> Result<Option<kefu_core::channels::ChannelInstance>, StoreError> {
        self.read_channel_by_id(id).await
    }

    async fn channels(&self, shop: ShopId) -> Result<Vec<kefu_core::channels::ChannelInstance>, StoreError> {
        self.read_channels(shop).await
    }

    async fn route_of(&self, shop: ShopId, customer: CustomerId) -> Result<Option<kefu_core::channels::Route>, StoreError> {
        self.read_route(shop, customer).await
    }

    async fn webhooks(&self, shop: Option<ShopId>) -> Result<Vec<kefu_core::outbox::WebhookSubscription>, StoreError> {
        self.read_webhooks(shop).await
    }

    async fn due_deliveries(&self, now: i64, limit: u32) -> Result<Vec<kefu_core::outbox::Delivery>, StoreError> {
        self.read_due_deliveries(now, limit).await
    }

    async fn next_delivery_at(&self) -> Result<Option<i64>, StoreError> {
        self.read_next_delivery_at().await
    }

    async fn deliveries(&self, shop: ShopId, state: kefu_core::outbox::DeliveryState, limit: u32) -> Result<Vec<kefu_core::outbox::Delivery>, StoreError> {
        self.read_deliveries(shop, state, limit).await
    }

    async fn delivery(&self, shop: ShopId, id: kefu_core::ids::DeliveryId) -> Result<Option<kefu_core::outbox::Delivery>, StoreError> {
        self.read_delivery(shop, id).await
    }

    async fn awaiting_reply(&self, shop: ShopId) -> Result<Vec<(ConversationId, i64)>, StoreError> {
        // A reply is an agent's message, or the bot's before the hand-off: after it the bot's
        // words (its 转人工 notice, same millisecond) answer nothing and the customer waits for
        // a person. System notices and notes answer nothing.
        let q = sqlx::query(
            "SELECT m.conversation_id, MIN(m.created_at) AS since FROM message m JOIN conversation c ON c.id = m.conversation_id \
             WHERE c.shop_id = $1 AND c.status IN ($2, $3, $4) AND m.sender_kind = 'customer' \
             AND m.seq > COALESCE((SELECT MAX(r.seq) FROM message r WHERE r.conversation_id = c.id AND (r.sender_kind = 'agent' \
             OR (r.sender_kind = 'bot' AND (c.handed_off_at IS NULL OR r.created_at < c.handed_off_at)))), 0) \
             GROUP BY m.conversation_id",
        )
        .bind(shop.to_string())
        .bind(Status::Bot.as_str())
        .bind(Status::Queued.as_str())
        .bind(Status::Assigned.as_str());
        all(self.fetch(q).await?, |r| {
            let id: String = r.try_get("conversation_id").map_err(backend_error)?;
            let since: i64 = r.try_get("since").map_err(backend_error)?;
            Ok((id.parse().map_err(|_| StoreError::Corrupt(format!("bad conversation id {id:?}")))?, since))
        })
    }

    async fn quick_phrase(&self, shop: ShopId, id: QuickPhraseId) -> Result<Option<QuickPhrase>, StoreError> {
        let q = sqlx::query("SELECT * FROM quick_phrase WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string());
        self.fetch_one_opt(q).await?.as_ref().map(rows::quick_phrase).transpose()
    }

    async fn quick_phrases(&self, shop: ShopId, user: UserId, search: Option<&str>) -> Result<Vec<QuickPhrase>, StoreError> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let mut sql = String::from("SELECT * FROM quick_phrase WHERE shop_id = $1 AND (owner_user_id IS NULL OR owner_user_id = $2)");
        if search.is_some() {
            sql.push_str(" AND (LOWER(title) LIKE $3 ESCAPE '\\' OR LOWER(text) LIKE $4 ESCAPE '\\')");
        }
        // Personal phrases first: they are the ones the agent wrote for themselves.
        sql.push_str(&format!(
            " ORDER BY CASE WHEN owner_user_id IS NULL THEN 1 ELSE 0 END, title, id LIMIT {}",
            kefu_core::quick_phrase::LIST_LIMIT
        ));
        let mut q = sqlx::query(&sql).bind(shop.to_string()).bind(user.to_string());
        if let Some(s) = search {
            let pattern = format!("%{}%", like_escape(&s.to_lowercase()));
            q = q.bind(pattern.clone()).bind(pattern);
        }
        all(self.fetch(q).await?, rows::quick_phrase)
    }

    async fn audit(&self, shop: Option<ShopId>, after_pos: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = limit.clamp(1, 10_000) as i64;
        let q = match shop {
            Some(shop) => sqlx::query("SELECT * FROM audit WHERE shop_id = $1 AND pos > $2 ORDER BY pos LIMIT $3")
                .bind(shop.to_string())
                .bind(after_pos)
                .bind(limit),
            None => sqlx::query("SELECT * FROM audit WHERE pos > $1 ORDER BY pos LIMIT $2").bind(after_pos).bind(limit),
        };
        all(self.fetch(q).await?, rows::audit)
    }

    async fn email_records(&self, shop: ShopId, ids: &[String]) -> Result<Vec<kefu_core::channels::email::EmailRecord>, StoreError> {
        self.read_email_records(shop, ids).await
    }

    async fn emails_of_conversation(&self, shop: ShopId, conversation: ConversationId, limit: u32) -> Result<Vec<kefu_core::channels::email::EmailRecord>, StoreError> {
        self.read_emails_of_conversation(shop, conversation, limit).await
    }

    async fn attachments_of(&self, shop: ShopId, message: MessageId) -> Result<Vec<kefu_core::channels::email::Attachment>, StoreError> {
        self.read_attachments_of(shop, message).await
    }

    async fn attachment(&self, shop: ShopId, id: kefu_core::ids::AttachmentId) -> Result<Option<kefu_core::channels::email::Attachment>, StoreError> {
        self.read_attachment(shop, id).await
    }
}

/// Escape `LIKE` wildcards so a search for "100%" means the text "100%".
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
