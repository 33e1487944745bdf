/* kefu chat widget. Loaded cross-origin on merchants' pages as a classic script:
 *   <script src="https://kefu.example/widget.js" data-kefu-key="KEY" defer></script>
 * Everything lives in one closure and one shadow root so that the merchant's CSS and globals
 * cannot break us, and ours cannot break their page. */
(function () {
  'use strict';

  var script = document.currentScript
    || document.querySelector('script[data-kefu-key][src*="widget.js"]');
  if (!script || !script.src) return;
  // A page that includes the snippet twice (common with tag managers) gets one widget.
  if (document.getElementById('kefu-widget')) return;

  var KEY = script.getAttribute('data-kefu-key') || '';
  var ORIGIN = new URL(script.src, location.href).origin;
  var WS_ORIGIN = ORIGIN.replace(/^http/, 'ws');
  var TOKEN_KEY = 'kefu:' + KEY + ':token';
  var MAX_BYTES = 8 * 1024;
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
  var PING_EVERY_MS = 25000;
  var encoder = new TextEncoder();
  var LANG_KEY = 'kefu.lang';
  var SHOP_LANG_KEY = 'kefu:' + KEY + ':lang'; // the shop's fixed widget language, seen last visit

  // localStorage throws in some sandboxed iframes and privacy modes; the widget must still
  // work there, it just forgets the visitor on reload.
  function loadToken() {
    try { return localStorage.getItem(TOKEN_KEY); } catch (_) { return null; }
  }
  function saveToken(token) {
    try { localStorage.setItem(TOKEN_KEY, token); } catch (_) { /* see loadToken */ }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; merchants' http:// pages still need unique ids.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-'
      + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // ---------- words ----------
  // The widget's words come from the catalogue area `widget` (served with CORS for merchants'
  // sites). The visitor's language: a choice stored on this site (kefu's own pages, e.g. /demo),
  // else the browser's languages; the shop may fix one, which the hello frame says.
  var words = {};
  var asked = visitorLanguage(); // what we tell the server; null when we speak none of theirs
  var lang = shopLanguage() || asked || 'zh-CN';

  function supported(tag) {
    var primary = String(tag || '').toLowerCase().split(/[-_]/)[0];
    return primary === 'zh' ? 'zh-CN' : primary === 'en' ? 'en' : null;
  }
  function shopLanguage() {
    try { return supported(localStorage.getItem(SHOP_LANG_KEY)); } catch (_) { return null; }
  }
  function rememberShopLanguage(look) {
    try {
      if (supported(look.language)) localStorage.setItem(SHOP_LANG_KEY, look.language);
      else localStorage.removeItem(SHOP_LANG_KEY);
    } catch (_) { /* see loadToken */ }
  }
  function visitorLanguage() {
    var stored = null;
    try { stored = supported(localStorage.getItem(LANG_KEY)); } catch (_) { /* see loadToken */ }
    if (stored) return stored;
    var tags = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < tags.length; i++) if (supported(tags[i])) return supported(tags[i]);
    return null;
  }

  /** The text of `id` with `{name}` placeholders filled; the id itself while it is missing. */
  function t(id, args) {
    var text = Object.prototype.hasOwnProperty.call(words, id) ? words[id] : id;
    if (!args) return text;
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in args ? String(args[name]) : whole; });
  }

  // Calls done() once the words of `tag` (or, failing that, zh-CN's) are loaded or gave up.
  function loadWords(tag, done) {
    function get(l) {
      return fetch(ORIGIN + '/assets/i18n/' + l + '/widget.json', { credentials: 'omit' })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
    }
    get(tag).catch(function () { return get('zh-CN'); }).catch(function () { return {}; })
      .then(function (table) { words = table; done(); });
  }

  function clock(ms) {
    try {
      return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
    } catch (_) {
      return new Date(ms).toTimeString().slice(0, 5);
    }
  }

  function chatIcon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'kefu-icon');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'
      + 'M7 10.5a1.25 1.25 0 1 0 0 .01zM12 10.5a1.25 1.25 0 1 0 0 .01zM17 10.5a1.25 1.25 0 1 0 0 .01z');
    svg.appendChild(path);
    return svg;
  }

  // ---------- DOM ----------
  var host = el('div');
  host.id = 'kefu-widget';
  // Hidden until widget.css and the words have loaded, so the page never flashes an unstyled
  // or unlabelled panel.
  host.style.setProperty('visibility', 'hidden');
  var waitingFor = 2;
  function ready() { if (--waitingFor === 0) host.style.removeProperty('visibility'); }
  var root = host.attachShadow({ mode: 'open' });

  var link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = ORIGIN + '/widget.css';
  link.addEventListener('load', ready);
  link.addEventListener('error', ready);
  root.appendChild(link);

  var launcher = el('button', 'kefu-launcher');
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.appendChild(chatIcon());
  var badge = el('span', 'kefu-badge');
  badge.hidden = true;
  launcher.appendChild(badge);

  var panel = el('section', 'kefu-panel');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');

  var header = el('header', 'kefu-header');
  var titles = el('div', 'kefu-titles');
  var title = el('div', 'kefu-title');
  titles.appendChild(title);
  var subtitle = el('div', 'kefu-subtitle', '');
  titles.appendChild(subtitle);
  var closeBtn = el('button', 'kefu-close', '×');
  closeBtn.type = 'button';
  header.appendChild(titles);
  header.appendChild(closeBtn);

  var list = el('ol', 'kefu-messages');
  list.setAttribute('aria-live', 'polite');
  var welcome = el('li', 'kefu-welcome');
  list.appendChild(welcome);

  var typingLine = el('div', 'kefu-typing');
  typingLine.hidden = true;
  typingLine.setAttribute('role', 'status');

  var notice = el('div', 'kefu-notice');
  notice.hidden = true;
  notice.setAttribute('role', 'alert');

  var form = el('form', 'kefu-composer');
  var input = el('textarea', 'kefu-input');
  input.rows = 2;
  var sendBtn = el('button', 'kefu-send');
  sendBtn.type = 'submit';
  form.appendChild(input);
  form.appendChild(sendBtn);

  // The shop's pre-chat form (设置 › 店铺): asked of a new visitor, sent with the first message.
  var PRECHAT = {
    name: { label: 'widget-prechat-name', type: 'text', autocomplete: 'name' },
    phone: { label: 'widget-prechat-phone', type: 'tel', autocomplete: 'tel' },
    email: { label: 'widget-prechat-email', type: 'email', autocomplete: 'email' },
    order: { label: 'widget-prechat-order', type: 'text', autocomplete: 'off' }
  };
  var prechatBox = el('div', 'kefu-prechat');
  prechatBox.hidden = true;
  var prechatInputs = {}; // field -> {input, problem, required}

  panel.appendChild(header);
  panel.appendChild(list);
  panel.appendChild(typingLine);
  panel.appendChild(notice);
  panel.appendChild(prechatBox);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  // The static words, again whenever the language changes; `greeting` is the shop's own.
  var greeting = '';
  var status = ['widget-connecting']; // the subtitle's message id and arguments
  function labelAll() {
    // Screen readers and :lang() styles follow the widget's language, not the merchant page's.
    host.setAttribute('lang', lang);
    launcher.setAttribute('aria-label', t('widget-title'));
    panel.setAttribute('aria-label', t('widget-title'));
    title.textContent = t('widget-title');
    closeBtn.setAttribute('aria-label', t('widget-close'));
    welcome.textContent = greeting || t('widget-greeting');
    typingLine.textContent = t('widget-typing');
    input.placeholder = t('widget-input-placeholder');
    input.setAttribute('aria-label', t('widget-input-label'));
    sendBtn.textContent = t('widget-send');
    if (started) setSubtitle(status[0], status[1]);
  }

  // ---------- state ----------
  var token = loadToken();
  var customerId = null;
  var maxSeq = 0;
  var shown = {}; // message id -> true
  var pending = {}; // client_id -> {content, node, failed}
  var pendingOrder = [];
  var ws = null;
  var attempt = 0;
  var retryTimer = null;
  var pingTimer = null;
  var started = false;
  var unread = 0;
  var shopName = '';
  var ratingAsk = null; // { scale, invitation, invitations? } from the hello
  var lastTyping = 0;
  var typingTimer = null;
  // The typing signal goes out at most every 2 s; the agent's shows for 4 s after the last.
  var TYPING_EVERY_MS = 2000;
  var TYPING_SHOWS_MS = 4000;

  function setSubtitle(id, args) {
    status = [id, args];
    subtitle.textContent = t(id, args);
  }
  function setOnline() {
    if (shopName) setSubtitle('widget-online-at', { shop: shopName }); else setSubtitle('widget-online');
  }

  function showNotice(text) {
    notice.textContent = text || '';
    notice.hidden = !text;
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }
  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function senderLabel(kind) {
    if (kind === 'customer' || kind === 'bot' || kind === 'system') return t('widget-sender-' + kind);
    return t('widget-sender-agent');
  }

  function messageNode(m) {
    var li = el('li', 'kefu-message kefu-from-' + m.sender_kind);
    li.setAttribute('data-id', m.id);
    li.setAttribute('data-seq', String(m.seq));
    var meta = el('div', 'kefu-meta');
    meta.appendChild(el('span', 'kefu-sender', senderLabel(m.sender_kind)));
    meta.appendChild(el('time', 'kefu-time', clock(m.created_at)));
    li.appendChild(meta);
    li.appendChild(el('div', 'kefu-bubble', m.content));
    if (m.sender_kind === 'bot') botExtras(li, m);
    if (m.sender_kind === 'system' && isInvitation(m.content)) ratingForm(li);
    return li;
  }

  // The rating invitation, in the visitor's language or any other the hello lists.
  function isInvitation(text) {
    return !!ratingAsk && (text === ratingAsk.invitation || (ratingAsk.invitations || []).indexOf(text) >= 0);
  }

  // Stars (1 to the shop's scale) and an optional comment under the rating invitation; the
  // digit reply the invitation mentions keeps working too. Gone once anything follows it.
  function ratingForm(li) {
    var box = el('form', 'kefu-rating');
    var stars = el('div', 'kefu-stars');
    stars.setAttribute('role', 'radiogroup');
    stars.setAttribute('aria-label', t('widget-rating-label'));
    var chosen = 0;
    var comment = el('textarea', 'kefu-rating-comment');
    comment.rows = 2;
    comment.maxLength = 500;
    comment.placeholder = t('widget-rating-comment');
    comment.setAttribute('aria-label', t('widget-rating-comment-label'));
    var submit = el('button', 'kefu-rating-submit', t('widget-rating-submit'));
    submit.type = 'submit';
    submit.disabled = true;
    for (var n = 1; n <= ratingAsk.scale; n++) {
      (function (n) {
        var b = el('button', 'kefu-star', '★');
        b.type = 'button';
        b.setAttribute('role', 'radio');
        b.setAttribute('aria-checked', 'false');
        b.setAttribute('aria-label', t('widget-rating-star', { n: n, scale: ratingAsk.scale }));
        b.setAttribute('data-stars', String(n));
        b.addEventListener('click', function () {
          chosen = n;
          submit.disabled = false;
          Array.prototype.forEach.call(stars.children, function (s, i) {
            s.classList.toggle('kefu-star-on', i < n);
            s.setAttribute('aria-checked', i === n - 1 ? 'true' : 'false');
          });
        });
        stars.appendChild(b);
      })(n);
    }
    box.appendChild(stars);
    box.appendChild(comment);
    box.appendChild(submit);
    box.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!chosen || !ws || ws.readyState !== WebSocket.OPEN) return;
      submit.disabled = true;
      ws.send(JSON.stringify({ type: 'rate', stars: chosen, comment: comment.value.trim() || null, client_id: uuid() }));
    });
    li.appendChild(box);
  }

  // A rating form belongs to the latest invitation only: drop those with a later message.
  function dropAnsweredRatings() {
    var forms = list.querySelectorAll('.kefu-rating');
    for (var i = 0; i < forms.length; i++) {
      var owner = forms[i].parentNode;
      if (Number(owner.getAttribute('data-seq')) < maxSeq) owner.removeChild(forms[i]);
    }
  }

  // The bot's "您是想问：" ("Did you mean:") lines become buttons (a click sends the number,
  // which every channel understands); its answers get thumbs up/down.
  function botExtras(li, m) {
    var lines = String(m.content).split('\n');
    var picks = lines.slice(1).map(function (l) { return /^(\d)\. (.+)$/.exec(l); }).filter(Boolean);
    if (picks.length && picks.length === lines.length - 1) {
      var row = el('div', 'kefu-suggestions');
      picks.forEach(function (p) {
        var b = el('button', 'kefu-suggestion', p[2]);
        b.type = 'button';
        b.addEventListener('click', function () { input.value = p[1]; send(); });
        row.appendChild(b);
      });
      li.appendChild(row);
      return;
    }
    var thumbs = el('div', 'kefu-thumbs');
    [['👍', true, t('widget-helpful')], ['👎', false, t('widget-not-helpful')]].forEach(function (thumb) {
      var b = el('button', 'kefu-thumb', thumb[0]);
      b.type = 'button';
      b.title = thumb[2];
      b.setAttribute('aria-label', thumb[2]);
      b.addEventListener('click', function () {
        if (!ws || ws.readyState !== 1) return;
        ws.send(JSON.stringify({ type: 'feedback', message_id: m.id, helpful: thumb[1] }));
        Array.prototype.forEach.call(thumbs.children, function (x) { x.disabled = true; });
        b.classList.add('kefu-thumb-chosen');
      });
      thumbs.appendChild(b);
    });
    li.appendChild(thumbs);
  }

  // The options a bot question offers (a flow's sizes, colours …) as buttons under it; a click
  // sends the option as the customer's message. Only the latest question keeps its buttons.
  function quickReplies(messageId, options) {
    var li = list.querySelector('li[data-id="' + messageId + '"]');
    if (!li || !options.length) return;
    Array.prototype.forEach.call(list.querySelectorAll('.kefu-quick-replies'), function (r) { r.parentNode.removeChild(r); });
    var row = el('div', 'kefu-quick-replies');
    options.forEach(function (o) {
      var b = el('button', 'kefu-quick-reply', o);
      b.type = 'button';
      b.addEventListener('click', function () {
        if (row.parentNode) row.parentNode.removeChild(row);
        input.value = o;
        send();
      });
      row.appendChild(b);
    });
    li.appendChild(row);
  }

  // Keeps seq order even when history and live frames interleave; unsent messages stay last.
  function place(node, seq) {
    var children = list.children;
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === node || c === welcome) continue;
      if (c.classList.contains('kefu-pending') || Number(c.getAttribute('data-seq')) > seq) {
        list.insertBefore(node, c);
        return;
      }
    }
    list.appendChild(node);
  }

  function addMessage(m, clientId) {
    var cid = clientId || m.client_id;
    var p = cid ? pending[cid] : null;
    if (p) {
      if (p.node.parentNode) p.node.parentNode.removeChild(p.node);
      delete pending[cid];
      pendingOrder = pendingOrder.filter(function (x) { return x !== cid; });
    }
    if (shown[m.id]) return false;
    var stick = atBottom();
    shown[m.id] = true;
    if (m.seq > maxSeq) maxSeq = m.seq;
    place(messageNode(m), m.seq);
    dropAnsweredRatings();
    if (stick || p) scrollDown();
    return true;
  }

  function renderPending(cid) {
    var p = pending[cid];
    var li = el('li', 'kefu-message kefu-from-customer kefu-pending' + (p.failed ? ' kefu-failed' : ''));
    li.setAttribute('data-client-id', cid);
    li.appendChild(el('div', 'kefu-bubble', p.content));
    var state = el('div', 'kefu-state', p.failed ? t('widget-not-sent', { reason: p.error }) : t('widget-sending'));
    if (p.failed) {
      var retry = el('button', 'kefu-retry', t('widget-retry'));
      retry.type = 'button';
      retry.addEventListener('click', function () {
        p.failed = false;
        renderPending(cid);
        transmit(cid);
      });
      state.appendChild(retry);
    }
    li.appendChild(state);
    if (p.node && p.node.parentNode) p.node.parentNode.replaceChild(li, p.node);
    else list.appendChild(li);
    p.node = li;
    scrollDown();
  }

  function transmit(cid) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      ensureConnected();
      return; // Sent from onHello once the socket is (re)established.
    }
    var frame = { type: 'send', content: pending[cid].content, client_id: cid };
    if (!prechatBox.hidden) frame.prechat = prechatAnswers();
    ws.send(JSON.stringify(frame));
  }

  // ---------- pre-chat form ----------
  function showPrechat(look) {
    var fields = (look.prechat_fields || []).filter(function (f) { return PRECHAT[f]; });
    if (customerId || !fields.length || prechatBox.childNodes.length) return;
    var required = look.prechat_required || [];
    prechatBox.appendChild(el('p', 'kefu-prechat-intro', t('widget-prechat-intro')));
    fields.forEach(function (f) {
      var row = el('label', 'kefu-prechat-field');
      var must = required.indexOf(f) >= 0;
      var label = t(PRECHAT[f].label);
      row.appendChild(el('span', 'kefu-prechat-label', t(must ? 'widget-prechat-required' : 'widget-prechat-optional', { label: label })));
      var box = el('input', 'kefu-prechat-input');
      box.type = PRECHAT[f].type;
      box.name = f;
      box.setAttribute('autocomplete', PRECHAT[f].autocomplete);
      if (must) box.setAttribute('aria-required', 'true');
      row.appendChild(box);
      var problem = el('span', 'kefu-prechat-problem', '');
      problem.hidden = true;
      row.appendChild(problem);
      prechatBox.appendChild(row);
      prechatInputs[f] = { input: box, problem: problem, required: must };
    });
    prechatBox.hidden = false;
  }

  function prechatAnswers() {
    var out = {};
    Object.keys(prechatInputs).forEach(function (f) {
      var v = prechatInputs[f].input.value.trim();
      if (v) out[f] = v;
    });
    return out;
  }

  function prechatProblem(field, text) {
    var p = prechatInputs[field];
    if (!p) return false;
    p.problem.textContent = text;
    p.problem.hidden = !text;
    if (text) p.input.setAttribute('aria-invalid', 'true'); else p.input.removeAttribute('aria-invalid');
    return true;
  }

  // Required fields are checked here first (the server checks again and says why).
  function prechatReady() {
    if (prechatBox.hidden) return true;
    var first = null;
    Object.keys(prechatInputs).forEach(function (f) {
      var missing = prechatInputs[f].required && !prechatInputs[f].input.value.trim();
      prechatProblem(f, missing ? t('widget-prechat-missing') : '');
      if (missing && !first) first = prechatInputs[f].input;
    });
    if (first) first.focus();
    return !first;
  }

  function prechatDone() {
    prechatBox.hidden = true;
  }

  function send() {
    var content = input.value.trim();
    if (!content) return;
    if (!prechatReady()) return;
    var size = encoder.encode(content).length;
    if (size > MAX_BYTES) {
      showNotice(t('widget-too-long', { size: Math.ceil(size / 1024) }));
      return;
    }
    showNotice('');
    var cid = uuid();
    pending[cid] = { content: content, node: null, failed: false, error: '' };
    pendingOrder.push(cid);
    input.value = '';
    renderPending(cid);
    transmit(cid);
    input.focus();
  }

  // ---------- realtime ----------
  function wsUrl() {
    var q = 'key=' + encodeURIComponent(KEY);
    if (token) q += '&token=' + encodeURIComponent(token);
    if (maxSeq > 0) q += '&after_seq=' + maxSeq;
    if (asked) q += '&language=' + encodeURIComponent(asked);
    return WS_ORIGIN + '/ws/widget?' + q;
  }

  function ensureConnected() {
    if (!started) {
      started = true;
      connect();
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    setSubtitle('widget-connecting');
    var sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch (_) {
      scheduleReconnect(0);
      return;
    }
    ws = sock;
    sock.onmessage = function (ev) {
      var frame;
      try { frame = JSON.parse(ev.data); } catch (_) { return; }
      if (!frame || ws !== sock) return;
      if (held) held.push(frame); else onFrame(frame);
    };
    sock.onopen = function () {
      attempt = 0;
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        if (sock.readyState === WebSocket.OPEN) sock.send('{"type":"ping"}');
      }, PING_EVERY_MS);
    };
    sock.onclose = function (ev) {
      if (ws !== sock) return;
      ws = null;
      clearInterval(pingTimer);
      scheduleReconnect(ev.code);
    };
  }

  function scheduleReconnect(code) {
    var delay;
    if (code === 1012) {
      // The server is restarting and will be back at once; jitter spreads the reconnect wave.
      delay = 250 + Math.floor(Math.random() * 750);
    } else {
      delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
      attempt += 1;
    }
    setSubtitle(attempt > 2 ? 'widget-connection-lost' : 'widget-reconnecting');
    retryTimer = setTimeout(connect, delay);
  }

  // Frames that arrive while words load (at start, or of a new language) wait here, in order.
  var held = [];
  function release() {
    var waiting = held;
    held = null;
    // A hello among them may start holding again (a language switch): the rest wait for it.
    for (var i = 0; i < waiting.length; i++) {
      if (held) held.push(waiting[i]); else onFrame(waiting[i]);
    }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'hello':
        // The shop fixed a language, or the server chose the shop's for a visitor whose
        // browser speaks none of ours: load its words before drawing the hello.
        if (frame.language && frame.language !== lang) {
          held = [];
          lang = frame.language;
          loadWords(lang, function () {
            labelAll();
            onHello(frame);
            release();
          });
        } else {
          onHello(frame);
        }
        break;
      case 'message':
        if (frame.message && frame.message.sender_kind !== 'customer') {
          showTyping(false);
          setOnline();
        }
        if (frame.message && addMessage(frame.message) && frame.message.sender_kind !== 'customer') bump();
        if (frame.message && frame.quick_replies) quickReplies(frame.message.id, frame.quick_replies);
        break;
      case 'typing':
        if (frame.from === 'agent') showTyping(true);
        break;
      case 'queue':
        // Routing tells a waiting customer their place; the next agent message replaces it.
        if (frame.position) {
          var ahead = Math.max(0, frame.position - 1);
          if (frame.expected_wait_secs) setSubtitle('widget-queue-wait', { ahead: ahead, minutes: Math.ceil(frame.expected_wait_secs / 60) });
          else setSubtitle('widget-queue', { ahead: ahead });
        }
        break;
      case 'ack':
        if (frame.message) {
          if (!customerId && frame.message.customer_id) { customerId = frame.message.customer_id; prechatDone(); }
          addMessage(frame.message, frame.client_id);
        }
        break;
      case 'error': onError(frame); break;
      case 'feedback_recorded': break;
      default: break;
    }
  }

  // The shop's greeting, accent colour and corner (设置 › 店铺), sent with every hello.
  function applyLook(look) {
    rememberShopLanguage(look);
    if (look.greeting) {
      greeting = look.greeting;
      welcome.textContent = greeting;
    }
    if (/^#[0-9a-fA-F]{6}$/.test(look.color || '')) {
      host.style.setProperty('--kefu-accent', look.color);
      host.style.setProperty('--kefu-accent-dark', look.color);
    }
    host.classList.toggle('kefu-left', look.position === 'left');
  }

  function onHello(frame) {
    if (frame.visitor_token) {
      token = frame.visitor_token;
      saveToken(token);
    }
    // A different customer means our token was not accepted and a new visitor was created:
    // what is on screen belongs to someone else's dialogue now, so start clean.
    if (customerId && frame.customer_id && frame.customer_id !== customerId) {
      var keep = list.querySelectorAll('.kefu-message:not(.kefu-pending)');
      for (var i = 0; i < keep.length; i++) list.removeChild(keep[i]);
      shown = {};
      maxSeq = 0;
    }
    customerId = frame.customer_id || customerId;
    if (frame.shop && frame.shop.name) shopName = frame.shop.name;
    if (frame.shop && frame.shop.look) applyLook(frame.shop.look);
    if (frame.shop && frame.shop.rating) ratingAsk = frame.shop.rating;
    if (customerId) prechatDone();
    else if (frame.shop && frame.shop.look) showPrechat(frame.shop.look);
    setOnline();
    var reconnecting = maxSeq > 0;
    var msgs = (frame.messages || []).slice().sort(function (a, b) { return a.seq - b.seq; });
    for (var j = 0; j < msgs.length; j++) {
      if (addMessage(msgs[j]) && reconnecting && msgs[j].sender_kind !== 'customer') bump();
    }
    scrollDown();
    // Messages typed while offline go out now; the client_id makes a resend harmless.
    pendingOrder.forEach(function (cid) {
      if (pending[cid] && !pending[cid].failed) transmit(cid);
    });
  }

  function onError(frame) {
    var text = frame.message || t('widget-send-failed');
    if (frame.code === 'message_too_large') text = t('widget-too-large');
    if (frame.code === 'invalid_prechat' && Array.isArray(frame.details)) {
      frame.details.forEach(function (p) { prechatProblem(p.field, p.message); });
    }
    if (frame.client_id && pending[frame.client_id]) {
      pending[frame.client_id].failed = true;
      pending[frame.client_id].error = text;
      renderPending(frame.client_id);
    } else {
      showNotice(text);
    }
  }

  function showTyping(on) {
    clearTimeout(typingTimer);
    typingLine.hidden = !on;
    if (on) {
      typingTimer = setTimeout(function () { typingLine.hidden = true; }, TYPING_SHOWS_MS);
      if (atBottom()) scrollDown();
    }
  }

  function signalTyping() {
    var now = Date.now();
    if (!input.value.trim() || now - lastTyping < TYPING_EVERY_MS) return;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    lastTyping = now;
    ws.send('{"type":"typing"}');
  }

  function bump() {
    if (!panel.hidden) return;
    unread += 1;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = false;
  }

  // ---------- interaction ----------
  function open() {
    panel.hidden = false;
    launcher.classList.add('kefu-open');
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    badge.hidden = true;
    ensureConnected();
    scrollDown();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.classList.remove('kefu-open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener('click', close);
  panel.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') close(); });
  form.addEventListener('submit', function (ev) { ev.preventDefault(); send(); });
  input.addEventListener('keydown', function (ev) {
    // isComposing/229: Enter that picks an IME candidate must not send half a sentence.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      send();
    }
  });
  input.addEventListener('input', function () {
    if (!notice.hidden) showNotice('');
    signalTyping();
  });
  window.addEventListener('online', function () {
    if (started && !ws) connect();
  });

  function mount() {
    document.body.appendChild(host);
    loadWords(lang, function () { labelAll(); ready(); release(); });
    // A returning visitor may have an open dialogue an agent is answering: connect right away.
    // First-time visitors connect only when they open the chat, so page views alone do not
    // create customers on the server.
    if (token) ensureConnected();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
