//! What the domain needs from persistence. `kefu-store` implements it for SQLite and
//! PostgreSQL; every read is scoped by shop.

use crate::access::{ApiToken, Session};
use crate::clock::Millis;
use crate::conversation::{Conversation, Status};
use crate::customer::{Channel, Customer, Identity};
use crate::event::Event;
use crate::ids::{ConversationId, CredentialId, CustomerId, MessageId, ShopId, UserId};
use crate::message::Message;
use crate::shop::{Shop, User, UserCredentials};
use std::future::Future;

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already exists.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The database failed or is unreachable.
    #[error("database: {0}")]
    Backend(String),
    /// A stored row does not decode (unknown enum value, unopenable content).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The writer has shut down; nothing more can be written.
    #[error("the store is shutting down")]
    Closed,
}

/// One row-level change. A [`ChangeSet`] of them commits atomically.
#[derive(Clone, Debug)]
pub enum Change {
    /// New shop.
    InsertShop(Shop),
    /// New user with password hash.
    InsertUser(UserCredentials),
    /// New customer.
    InsertCustomer(Customer),
    /// New channel identity.
    InsertIdentity(Identity),
    /// Record that a key (union id, verified phone or email; hashed) belongs to a customer;
    /// a key already recorded keeps its customer.
    PutCustomerKey {
        /// Shop.
        shop_id: ShopId,
        /// `union_id`, `phone` or `email`.
        kind: String,
        /// SHA-256 of the normalised value.
        value_hash: String,
        /// The customer.
        customer_id: CustomerId,
        /// When.
        at: crate::clock::Millis,
    },
    /// Merge `from` into `into` (and whatever was merged into `from`), or undo a merge of
    /// `from` when `into` is none.
    SetMergedInto {
        /// Shop.
        shop_id: ShopId,
        /// The customer merged away.
        from: CustomerId,
        /// Where their identities now write; none to undo.
        into: Option<CustomerId>,
    },
    /// Forget every key of a customer (after an undone merge, so it does not merge again).
    DeleteCustomerKeys {
        /// Shop.
        shop_id: ShopId,
        /// The customer.
        customer_id: CustomerId,
    },
    /// Rename a customer (an agent's choice over the platform nickname); sealed at rest.
    SetCustomerName {
        /// Shop.
        shop_id: ShopId,
        /// Customer.
        customer_id: CustomerId,
        /// The new name.
        name: String,
    },
    /// Replace a customer's tags.
    SetCustomerTags {
        /// Shop.
        shop_id: ShopId,
        /// Customer.
        customer_id: CustomerId,
        /// The new tags.
        tags: Vec<String>,
    },
    /// Advance a customer's dialogue sequence.
    SetCustomerLastSeq {
        /// Shop.
        shop_id: ShopId,
        /// Customer.
        customer_id: CustomerId,
        /// The new last sequence number.
        last_seq: i64,
    },
    /// Insert or update a conversation (read-side fields are ignored).
    PutConversation(Conversation),
    /// New message; the store seals its content.
    InsertMessage {
        /// The message.
        message: Message,
        /// Unique per shop when present: resends with the same key are dropped.
        dedupe_key: Option<String>,
    },
    /// New login session.
    InsertSession(Session),
    /// Log out.
    DeleteSession {
        /// Hash of the session secret.
        secret_hash: String,
    },
    /// New API token.
    InsertApiToken(ApiToken),
    /// Change a user's role.
    SetUserRole {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// New role.
        role: crate::shop::Role,
    },
    /// Replace a user's password hash.
    SetPasswordHash {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// Argon2 PHC string.
        password_hash: String,
    },
    /// Insert or replace a shop's settings document under a key.
    PutSetting {
        /// Shop.
        shop_id: ShopId,
        /// Which setting, e.g. `sensitive_words`.
        key: String,
        /// JSON document.
        doc: String,
        /// When.
        at: Millis,
    },
    /// Save a new knowledge-base version (versions are never overwritten).
    PutKbVersion(crate::bot::KbVersion),
    /// Replace a customer's pre-chat answers (a `prechat::Answers` JSON document, sealed at rest).
    PutCustomerPrechat {
        /// Shop.
        shop_id: ShopId,
        /// Customer.
        customer_id: CustomerId,
        /// The answers as JSON.
        doc: String,
        /// When.
        at: Millis,
    },
    /// Keep a new version of a settings document (append-only, like knowledge-base versions).
    PutSettingVersion(crate::settings_version::SettingVersion),
    /// Replace what the bot remembers about a conversation (sealed at rest).
    PutBotState {
        /// Shop.
        shop_id: ShopId,
        /// Conversation.
        conversation_id: ConversationId,
        /// `DialogueState` as JSON.
        doc: String,
        /// When.
        at: Millis,
    },
    /// Count a question the bot could not answer (insert, or add one to its count and move
    /// its last time and conversation; a dismissed question stays dismissed).
    NoteBotQuestion(crate::bot::learning::BotQuestion),
    /// Close a question of the learning loop.
    SetBotQuestionStatus {
        /// Shop.
        shop_id: ShopId,
        /// The question's key.
        key: String,
        /// `attached`, `created` or `dismissed`.
        status: String,
    },
    /// Append to the hash-chained audit log (the store links it to the newest entry).
    AppendAudit(crate::audit::AuditEntry),
    /// Insert or update a ticket (its document is sealed at rest).
    PutTicket(crate::tickets::Ticket),
    /// Insert or replace a shop's workflow for one ticket type.
    PutWorkflow {
        /// Shop.
        shop_id: ShopId,
        /// The workflow.
        workflow: crate::tickets::Workflow,
        /// When.
        at: Millis,
    },
    /// Insert or update a department.
    PutDepartment(crate::tickets::Department),
    /// Set a shop's business calendar.
    PutCalendar {
        /// Shop.
        shop_id: ShopId,
        /// The calendar.
        calendar: crate::tickets::sla::Calendar,
    },
    /// Insert or replace an order (keyed by shop and platform order number).
    PutOrder(crate::orders::Order),
    /// Insert or replace a product (keyed by shop and sku).
    PutProduct(crate::orders::Product),
    /// Insert or update a platform channel instance (its secret is sealed at rest).
    PutChannel(crate::channels::ChannelInstance),
    /// Remember the platform channel a customer last wrote through.
    PutRoute(crate::channels::Route),
    /// Insert or update an outgoing webhook subscription (its secret is sealed at rest).
    PutWebhook(crate::outbox::WebhookSubscription),
    /// Queue a delivery in the outbox (its payload is sealed at rest).
    EnqueueDelivery(crate::outbox::Delivery),
    /// Record the outcome of a delivery attempt, or re-queue a dead one.
    SetDeliveryState {
        /// Shop.
        shop_id: ShopId,
        /// Delivery.
        id: crate::ids::DeliveryId,
        /// New state.
        state: crate::outbox::DeliveryState,
        /// Attempts made so far.
        attempts: u32,
        /// Not before this time.
        next_attempt_at: Millis,
        /// Why the last attempt failed.
        last_error: Option<String>,
        /// When.
        at: Millis,
    },
    /// Insert or update a quick phrase.
    PutQuickPhrase(crate::quick_phrase::QuickPhrase),
    /// Delete a quick phrase.
    DeleteQuickPhrase {
        /// Shop.
        shop_id: ShopId,
        /// The phrase.
        id: crate::ids::QuickPhraseId,
    },
    /// Record an email received or sent (kept if already recorded: redeliveries and retries
    /// write it again). Its header is sealed at rest.
    PutEmailRecord(crate::channels::email::EmailRecord),
    /// Store an email attachment (kept if already stored); name and bytes are sealed.
    PutAttachment(crate::channels::email::Attachment),
    /// Delete delivered outbox rows last changed before this time.
    PruneDelivered {
        /// Cut-off.
        before: Millis,
    },
    /// Record a one-time link (setup, invitation, password reset).
    PutOnboardToken(crate::onboarding::OnboardToken),
    /// Use a one-time link; fails with `Duplicate` when it was used or withdrawn meanwhile,
    /// so two tabs cannot both redeem it.
    UseOnboardToken {
        /// The link.
        id: CredentialId,
        /// When.
        at: Millis,
    },
    /// Withdraw pending one-time links of a kind: one by id, all of one email, or all (of a
    /// shop, or the setup links when `shop_id` is none).
    RevokeOnboardTokens {
        /// Shop (none: setup links).
        shop_id: Option<ShopId>,
        /// Which kind.
        kind: crate::onboarding::TokenKind,
        /// Only this one.
        id: Option<CredentialId>,
        /// Only those for this email.
        email: Option<String>,
        /// When.
        at: Millis,
    },
    /// Rename a shop.
    RenameShop {
        /// Shop.
        shop_id: ShopId,
        /// The new name.
        name: String,
    },
    /// Set a shop's time zone and default language.
    SetShopProfile {
        /// Shop.
        shop_id: ShopId,
        /// `+08:00`.
        time_zone: String,
        /// `zh-CN` or `en`.
        language: String,
    },
    /// Suspend a shop (`Some`) or resume it (`None`); nothing is deleted.
    SetShopSuspended {
        /// Shop.
        shop_id: ShopId,
        /// Since when.
        at: Option<Millis>,
    },
    /// Deactivate a person (`Some`) or reactivate them (`None`); their history stays.
    SetUserDeactivated {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// Since when.
        at: Option<Millis>,
    },
    /// Rename a person.
    RenameUser {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// The new display name.
        display_name: String,
    },
    /// A person's own interface language (`None`: follow the browser).
    SetUserLanguage {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// The language.
        language: Option<kefu_i18n::Lang>,
    },
    /// End every session of a person and revoke every API token they made.
    EndUserCredentials {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// When.
        at: Millis,
    },
    /// Note when a person was last seen (login, workspace).
    TouchUser {
        /// Shop.
        shop_id: ShopId,
        /// User.
        user_id: UserId,
        /// When.
        at: Millis,
    },
    /// New platform-operator token.
    InsertPlatformToken(crate::onboarding::PlatformToken),
    /// Revoke an API token.
    RevokeApiToken {
        /// Shop.
        shop_id: ShopId,
        /// Token.
        id: CredentialId,
        /// When.
        at: Millis,
    },
}

/// Changes and the events they produce, committed together or not at all.
#[derive(Clone, Debug, Default)]
pub struct ChangeSet {
    /// Row changes, applied in order.
    pub changes: Vec<Change>,
    /// Events appended to the log in the same transaction.
    pub events: Vec<Event>,
}

impl ChangeSet {
    /// Add a change.
    pub fn push(&mut self, c: Change) -> &mut Self {
        self.changes.push(c);
        self
    }
}

/// Which conversations to list.
#[derive(Clone, Debug, Default)]
pub struct ConversationFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<Status>,
    /// Only this agent's.
    pub agent_id: Option<UserId>,
    /// At most this many, most recently active first.
    pub limit: u32,
}

/// Persistence as the domain sees it.
pub trait Store: Send + Sync + 'static {
    /// Commit a change set durably (group-committed with others); resolves after commit.
    fn apply(&self, changes: ChangeSet) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A shop by id.
    fn shop(&self, id: ShopId) -> impl Future<Output = Result<Option<Shop>, StoreError>> + Send;
    /// A shop by its widget key.
    fn shop_by_widget_key(&self, key: &str) -> impl Future<Output = Result<Option<Shop>, StoreError>> + Send;
    /// Every shop.
    fn shops(&self) -> impl Future<Output = Result<Vec<Shop>, StoreError>> + Send;

    /// A user of a shop.
    fn user(&self, shop: ShopId, id: UserId) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// A user and password hash by login email (emails are unique across shops).
    fn user_by_email(&self, email: &str) -> impl Future<Output = Result<Option<UserCredentials>, StoreError>> + Send;
    /// The users of a shop.
    fn users(&self, shop: ShopId) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// A customer of a shop.
    fn customer(&self, shop: ShopId, id: CustomerId) -> impl Future<Output = Result<Option<Customer>, StoreError>> + Send;
    /// The identity for a channel address.
    fn identity(&self, shop: ShopId, channel: Channel, external_id: &str) -> impl Future<Output = Result<Option<Identity>, StoreError>> + Send;
    /// The customer a merge key belongs to.
    fn customer_by_key(&self, shop: ShopId, kind: &str, value_hash: &str) -> impl Future<Output = Result<Option<CustomerId>, StoreError>> + Send;
    /// Customers merged into `into`.
    fn merged_into(&self, shop: ShopId, into: CustomerId) -> impl Future<Output = Result<Vec<CustomerId>, StoreError>> + Send;
    /// All identities of a customer.
    fn identities_of(&self, shop: ShopId, customer: CustomerId) -> impl Future<Output = Result<Vec<Identity>, StoreError>> + Send;

    /// A conversation of a shop.
    fn conversation(&self, shop: ShopId, id: ConversationId) -> impl Future<Output = Result<Option<Conversation>, StoreError>> + Send;
    /// The customer's open (not closed) conversation, if any.
    fn open_conversation_of(&self, shop: ShopId, customer: CustomerId) -> impl Future<Output = Result<Option<Conversation>, StoreError>> + Send;
    /// Conversations of a shop by filter.
    fn conversations(&self, shop: ShopId, filter: &ConversationFilter) -> impl Future<Output = Result<Vec<Conversation>, StoreError>> + Send;
    /// Every bot/queued/assigned conversation of every shop, to rebuild hot state at start.
    fn active_conversations(&self) -> impl Future<Output = Result<Vec<Conversation>, StoreError>> + Send;

    /// The message stored under a dedupe key.
    fn message_by_dedupe(&self, shop: ShopId, key: &str) -> impl Future<Output = Result<Option<Message>, StoreError>> + Send;
    /// Messages of a conversation with `seq > after_seq`, oldest first.
    fn messages_of_conversation(&self, shop: ShopId, conversation: ConversationId, after_seq: i64, limit: u32) -> impl Future<Output = Result<Vec<Message>, StoreError>> + Send;
    /// A customer's dialogue as the customer sees it (internal notes left out): with
    /// `after_seq` the messages after it (oldest first, up to `limit`); without, the last
    /// `limit` messages (oldest first).
    fn messages_of_customer(&self, shop: ShopId, customer: CustomerId, after_seq: Option<i64>, limit: u32) -> impl Future<Output = Result<Vec<Message>, StoreError>> + Send;

    /// A live session by secret hash (expired ones are returned too; the caller checks).
    fn session(&self, secret_hash: &str) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;
    /// An API token by secret hash.
    fn api_token(&self, secret_hash: &str) -> impl Future<Output = Result<Option<ApiToken>, StoreError>> + Send;
    /// A shop's API tokens.
    fn api_tokens(&self, shop: ShopId) -> impl Future<Output = Result<Vec<ApiToken>, StoreError>> + Send;

    /// A ticket of a shop.
    fn ticket(&self, shop: ShopId, id: crate::ids::TicketId) -> impl Future<Output = Result<Option<crate::tickets::Ticket>, StoreError>> + Send;
    /// Tickets of a shop by filter, newest first.
    fn tickets(&self, shop: ShopId, filter: &crate::tickets::TicketFilter) -> impl Future<Output = Result<Vec<crate::tickets::Ticket>, StoreError>> + Send;
    /// Every open ticket of every shop (SLA sweeps, rebuilding hot state).
    fn open_tickets(&self) -> impl Future<Output = Result<Vec<crate::tickets::Ticket>, StoreError>> + Send;
    /// The highest ticket number a shop has used (0 when none).
    fn max_ticket_number(&self, shop: ShopId) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// A shop's stored workflows (types without one use the defaults).
    fn workflows(&self, shop: ShopId) -> impl Future<Output = Result<Vec<crate::tickets::Workflow>, StoreError>> + Send;
    /// A shop's departments.
    fn departments(&self, shop: ShopId) -> impl Future<Output = Result<Vec<crate::tickets::Department>, StoreError>> + Send;
    /// A shop's business calendar, if set.
    fn calendar(&self, shop: ShopId) -> impl Future<Output = Result<Option<crate::tickets::sla::Calendar>, StoreError>> + Send;

    /// A shop's events in commit order with their log positions, after position `after_pos`.
    fn events(&self, shop: ShopId, after_pos: i64, limit: u32) -> impl Future<Output = Result<Vec<(i64, Event)>, StoreError>> + Send;
    /// One message by id.
    fn message(&self, shop: ShopId, id: MessageId) -> impl Future<Output = Result<Option<Message>, StoreError>> + Send;
    /// A shop's settings document under a key.
    fn setting(&self, shop: ShopId, key: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// A shop's default language tag (its profile: `zh-CN` or `en`), if the shop exists.
    fn shop_default_language(&self, shop: ShopId) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// A customer's pre-chat answers (JSON), if they gave any.
    fn customer_prechat(&self, shop: ShopId, customer: CustomerId) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// A settings document's kept versions, newest first (with their documents).
    fn setting_versions(&self, shop: ShopId, key: &str, limit: u32) -> impl Future<Output = Result<Vec<crate::settings_version::SettingVersion>, StoreError>> + Send;
    /// One kept version of a settings document.
    fn setting_version(&self, shop: ShopId, key: &str, version: i64) -> impl Future<Output = Result<Option<crate::settings_version::SettingVersion>, StoreError>> + Send;
    /// A customer's orders, newest first.
    fn orders_of_customer(&self, shop: ShopId, customer: CustomerId, limit: u32) -> impl Future<Output = Result<Vec<crate::orders::Order>, StoreError>> + Send;
    /// An order by the platform's order number.
    fn order_by_external(&self, shop: ShopId, external_id: &str) -> impl Future<Output = Result<Option<crate::orders::Order>, StoreError>> + Send;
    /// A product by sku.
    fn product_by_sku(&self, shop: ShopId, sku: &str) -> impl Future<Output = Result<Option<crate::orders::Product>, StoreError>> + Send;
    /// A channel instance by id alone: the platform webhook names only the channel, and is
    /// authenticated by that channel's secret.
    fn channel_by_id(&self, id: crate::ids::ChannelId) -> impl Future<Output = Result<Option<crate::channels::ChannelInstance>, StoreError>> + Send;
    /// A shop's channel instances.
    fn channels(&self, shop: ShopId) -> impl Future<Output = Result<Vec<crate::channels::ChannelInstance>, StoreError>> + Send;
    /// The platform channel a customer last wrote through.
    fn route_of(&self, shop: ShopId, customer: CustomerId) -> impl Future<Output = Result<Option<crate::channels::Route>, StoreError>> + Send;
    /// Live webhook subscriptions of one shop, or of every shop with `None`.
    fn webhooks(&self, shop: Option<ShopId>) -> impl Future<Output = Result<Vec<crate::outbox::WebhookSubscription>, StoreError>> + Send;
    /// Pending deliveries due by `now` that are first in line for their order key, oldest first.
    fn due_deliveries(&self, now: Millis, limit: u32) -> impl Future<Output = Result<Vec<crate::outbox::Delivery>, StoreError>> + Send;
    /// The earliest next attempt of any pending delivery first in line for its order key.
    fn next_delivery_at(&self) -> impl Future<Output = Result<Option<Millis>, StoreError>> + Send;
    /// A shop's deliveries in one state, newest first.
    fn deliveries(&self, shop: ShopId, state: crate::outbox::DeliveryState, limit: u32) -> impl Future<Output = Result<Vec<crate::outbox::Delivery>, StoreError>> + Send;
    /// One delivery of a shop.
    fn delivery(&self, shop: ShopId, id: crate::ids::DeliveryId) -> impl Future<Output = Result<Option<crate::outbox::Delivery>, StoreError>> + Send;
    /// For each open conversation of a shop whose customer waits for an answer, when the
    /// waiting began: the first customer message after the last agent or bot reply.
    fn awaiting_reply(&self, shop: ShopId) -> impl Future<Output = Result<Vec<(ConversationId, Millis)>, StoreError>> + Send;
    /// A quick phrase of a shop.
    fn quick_phrase(&self, shop: ShopId, id: crate::ids::QuickPhraseId) -> impl Future<Output = Result<Option<crate::quick_phrase::QuickPhrase>, StoreError>> + Send;
    /// The shop-wide phrases and `user`'s own (personal first, then by title), optionally only
    /// those whose title or text contains `search`; at most `quick_phrase::LIST_LIMIT`.
    fn quick_phrases(&self, shop: ShopId, user: UserId, search: Option<&str>) -> impl Future<Output = Result<Vec<crate::quick_phrase::QuickPhrase>, StoreError>> + Send;
    /// A shop's newest knowledge-base version.
    fn kb_latest(&self, shop: ShopId) -> impl Future<Output = Result<Option<crate::bot::KbVersion>, StoreError>> + Send;
    /// One knowledge-base version.
    fn kb_version(&self, shop: ShopId, version: i64) -> impl Future<Output = Result<Option<crate::bot::KbVersion>, StoreError>> + Send;
    /// A shop's knowledge-base versions, newest first, without their documents.
    fn kb_history(&self, shop: ShopId, limit: u32) -> impl Future<Output = Result<Vec<crate::bot::KbVersion>, StoreError>> + Send;
    /// What the bot remembers about a conversation (JSON), if anything.
    fn bot_state(&self, shop: ShopId, conversation: ConversationId) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Questions of the learning loop in one status, most asked first.
    fn bot_questions(&self, shop: ShopId, status: &str, limit: u32) -> impl Future<Output = Result<Vec<crate::bot::learning::BotQuestion>, StoreError>> + Send;
    /// One question of the learning loop.
    fn bot_question(&self, shop: ShopId, key: &str) -> impl Future<Output = Result<Option<crate::bot::learning::BotQuestion>, StoreError>> + Send;
    /// A shop's products as (name, sku), for the bot's product gazetteer.
    fn product_names(&self, shop: ShopId, limit: u32) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;
    /// Audit records after a position, oldest first: one shop's, or every shop's with `None`.
    fn audit(&self, shop: Option<ShopId>, after_pos: i64, limit: u32) -> impl Future<Output = Result<Vec<crate::audit::AuditRecord>, StoreError>> + Send;
    /// The recorded emails of a shop with these [`record_id`](crate::channels::email::thread::record_id)s.
    fn email_records(&self, shop: ShopId, ids: &[String]) -> impl Future<Output = Result<Vec<crate::channels::email::EmailRecord>, StoreError>> + Send;
    /// The emails of a conversation, newest first.
    fn emails_of_conversation(&self, shop: ShopId, conversation: ConversationId, limit: u32) -> impl Future<Output = Result<Vec<crate::channels::email::EmailRecord>, StoreError>> + Send;
    /// The attachments of a message (without their bytes).
    fn attachments_of(&self, shop: ShopId, message: MessageId) -> impl Future<Output = Result<Vec<crate::channels::email::Attachment>, StoreError>> + Send;
    /// One attachment with its bytes.
    fn attachment(&self, shop: ShopId, id: crate::ids::AttachmentId) -> impl Future<Output = Result<Option<crate::channels::email::Attachment>, StoreError>> + Send;
}
