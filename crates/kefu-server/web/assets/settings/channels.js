// Settings › Channels: platform channels (the signing secret and the push URL shown once), outgoing
// webhooks, and the outbox with its pending and dead deliveries (dead ones can be replayed).

import { $, api, copy, fieldError, fillText, has, joinList, loadCatalogue, t, toast, when } from './common.js';

function cells(values, extra) {
  const tr = document.createElement('tr');
  for (const v of values) tr.append(Object.assign(document.createElement('td'), { textContent: v ?? '' }));
  const td = document.createElement('td');
  if (extra) td.append(extra);
  if (extra !== undefined) tr.append(td);
  return tr;
}

function button(text, cls, run) {
  const b = Object.assign(document.createElement('button'), { type: 'button', className: `btn btn-small ${cls}`, textContent: text });
  b.addEventListener('click', run);
  return b;
}

function target(to) {
  if (!to) return '';
  return to.kind === 'webhook' ? t('channels-target_webhook', { id: to.webhook_id }) : t('channels-target_reply');
}

/// Kinds of received platform events with a name in the catalogue (`channels-kind-…`).
const EVENT_KINDS = ['message', 'comment', 'order_message', 'live_comment'];

/// One received request in words: when, what, and how it was answered.
function eventLine(e) {
  const what = EVENT_KINDS.includes(e.kind) ? t(`channels-kind-${e.kind}`) : t('channel-undecoded');
  // The refusal in words; a code the catalogue does not know is shown as it is.
  const reason = e.error && (has(`channel-error-${e.error}`) ? t(`channel-error-${e.error}`) : e.error);
  const how = e.error ? t('channel-refused', { status: e.status, code: reason }) : t('channel-accepted', { status: e.status });
  return Object.assign(document.createElement('li'), { textContent: `${when(e.at)} · ${e.test ? t('common-in_parens', { text: what, detail: t('channel-test') }) : what} · ${how}` });
}

const line = (text) => Object.assign(document.createElement('li'), { textContent: text });
const para = (text) => Object.assign(document.createElement('p'), { textContent: text });

/// A list under a heading, or "none yet".
function section(title, items, none) {
  const list = document.createElement('ul');
  list.className = 'recent-events';
  list.append(...(items.length ? items : [line(none)]));
  return [para(title), list];
}

/// One reply sent through the channel: when, and whether the platform or relay took it.
function sendLine(s) {
  return line(`${when(s.at)} · ${s.ok ? t('channel-sent_ok') : t('channel-sent_failed', { error: s.error || '' })}`);
}

/// An email channel's connection in words: SMTP for replies, IMAP or the webhook for mail in.
function emailStatus(e) {
  const smtp = !e.smtp_configured ? t('channel-smtp_off') : e.smtp_reachable ? t('channel-smtp_on') : t('channel-smtp_unreachable', { error: e.smtp_error || '' });
  const out = [line(smtp)];
  if (!e.imap) {
    out.push(line(t('channel-inbound_webhook')));
    return out;
  }
  out.push(line(t('channel-inbound_imap', { secs: e.imap_every_secs })));
  const last = e.polls[0];
  if (!last) out.push(line(t('channel-poll_none')));
  else if (last.error) out.push(line(t('channel-poll_failed', { at: when(last.at), error: last.error })));
  else out.push(line(t('channel-poll_ok', { at: when(last.at), n: last.fetched })));
  return out;
}

async function showEvents(c) {
  const { events, sends, email } = await api('GET', `/api/v1/channels/${encodeURIComponent(c.id)}/events`);
  const parts = [];
  if (email) parts.push(...section(t('channel-email_status', { name: c.name }), emailStatus(email), ''));
  parts.push(...section(t('channel-recent', { name: c.name }), events.map(eventLine), t('channel-none')));
  parts.push(...section(t('channel-sends', { name: c.name }), sends.map(sendLine), t('channel-sends_none')));
  $('ch-detail').replaceChildren(...parts);
  $('ch-detail').hidden = false;
}

async function sendTest(c) {
  try {
    const r = await api('POST', `/api/v1/channels/${encodeURIComponent(c.id)}/test`, {});
    toast(r.message);
  } catch (e) {
    toast(e.message);
  }
  await showEvents(c);
}

function channelTools(c) {
  const box = document.createElement('span');
  box.className = 'rule-tools';
  if (c.platform !== 'email') box.append(button(t('channel-send_test'), 'ch-test', () => sendTest(c)));
  box.append(button(c.platform === 'email' ? t('channel-status') : t('channel-events'), 'ch-events', () => showEvents(c)));
  return box;
}

async function loadChannels() {
  const { channels } = await api('GET', '/api/v1/channels');
  $('ch-rows').replaceChildren(...channels.map((c) => cells([c.name, c.platform, `${location.origin}/api/v1/channels/${c.id}/${c.platform === 'email' ? 'email' : 'webhook'}`, c.callback_url, when(c.created_at)], channelTools(c))));
}

async function loadHooks() {
  const { webhooks } = await api('GET', '/api/v1/webhooks');
  $('hook-rows').replaceChildren(...webhooks.filter((w) => !w.deleted_at).map((w) => cells([w.url, joinList(w.events), when(w.created_at)],
    button(t('common-delete'), 'btn-danger', async () => {
      if (!confirm(t('channels-hook_confirm_delete', { url: w.url }))) return;
      await api('DELETE', `/api/v1/webhooks/${encodeURIComponent(w.id)}`);
      await loadHooks();
    }))));
}

async function loadOutbox() {
  const [pending, dead] = await Promise.all([api('GET', '/api/v1/outbox?state=pending&limit=50'), api('GET', '/api/v1/outbox?state=dead&limit=50')]);
  $('pending-rows').replaceChildren(...pending.deliveries.map((d) => cells([d.event, target(d.target), String(d.attempts), when(d.next_attempt_at), d.last_error])));
  $('dead-rows').replaceChildren(...dead.deliveries.map((d) => cells([d.event, target(d.target), String(d.attempts), d.last_error],
    button(t('channels-replay'), '', async () => {
      try { await api('POST', `/api/v1/outbox/${encodeURIComponent(d.id)}/replay`); toast(t('channels-replayed')); } catch (e) { toast(e.message); }
      await loadOutbox();
    }))));
}

async function createChannel(e) {
  e.preventDefault();
  for (const id of ['ch-name', 'ch-platform', 'ch-callback']) fieldError($(id), '');
  const body = { name: $('ch-name').value.trim(), platform: $('ch-platform').value.trim(), callback_url: $('ch-callback').value.trim() };
  if (!body.name) return fieldError($('ch-name'), t('common-need_name'));
  if (!body.platform) return fieldError($('ch-platform'), t('channels-need_platform'));
  if (!/^https?:\/\//.test(body.callback_url)) return fieldError($('ch-callback'), t('channels-callback_scheme'));
  try {
    const made = await api('POST', '/api/v1/channels', body);
    $('ch-secret').value = made.secret;
    $('ch-webhook').value = `${location.origin}${made.webhook_path}`;
    $('ch-issued').hidden = false;
    toast(t('channels-created'));
    await loadChannels();
  } catch (err) {
    const at = /callback|url|target|private/i.test(err.message) ? 'ch-callback' : /platform/i.test(err.message) ? 'ch-platform' : 'ch-name';
    fieldError($(at), err.message);
  }
}

async function createHook(e) {
  e.preventDefault();
  fieldError($('hook-url'), '');
  fieldError($('hook-events'), '');
  const events = $('hook-events').value.split(/[,\uFF0C\s]+/).filter(Boolean);
  if (!/^https?:\/\//.test($('hook-url').value.trim())) return fieldError($('hook-url'), t('channels-hook_scheme'));
  try {
    const made = await api('POST', '/api/v1/webhooks', { url: $('hook-url').value.trim(), events });
    $('hook-secret').value = made.secret;
    $('hook-issued').hidden = false;
    toast(t('channels-hook_added'));
    await loadHooks();
  } catch (err) {
    fieldError(/event/i.test(err.message) ? $('hook-events') : $('hook-url'), err.message);
  }
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  $('channel-form').addEventListener('submit', createChannel);
  $('hook-form').addEventListener('submit', createHook);
  $('ch-secret-copy').addEventListener('click', () => copy($('ch-secret').value));
  $('ch-webhook-copy').addEventListener('click', () => copy($('ch-webhook').value));
  $('hook-copy').addEventListener('click', () => copy($('hook-secret').value));
  $('outbox-refresh').addEventListener('click', loadOutbox);
  await Promise.all([loadChannels(), loadHooks(), loadOutbox()]);
}

main();
