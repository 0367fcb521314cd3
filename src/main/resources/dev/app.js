// Kopeck developer console: a Telegram-like chat that drives the bot through its production paths.
// Updates are posted to /telegram/webhook with the webhook secret; the bot's Bot API calls arrive
// from /dev/events (server-sent events) as Kopeck's own recording Bot API answers them.
'use strict';

const consoleState = {
  config: null,
  users: [],
  chats: new Map(),        // chat id -> { root, messages: Map(message id -> element) }
  checkouts: new Map(),    // pre-checkout query id -> { user, payload, total, currency }
  presses: new Map(),      // callback query id -> the chat it was pressed in
  nextUpdate: 0,
  nextMessage: 1,
};

const DEFAULT_USERS = [
  { id: 100001, name: 'Анна', lang: 'ru' },
  { id: 100002, name: 'Bob', lang: 'en' },
];

// ---- Telegram's HTML subset, rendered safely ---------------------------------------------
const ALLOWED = { b: 'b', strong: 'b', i: 'i', em: 'i', u: 'u', ins: 'u', s: 's', strike: 's', del: 's',
  code: 'code', pre: 'pre', blockquote: 'blockquote', a: 'a', 'tg-spoiler': 'span' };

function renderHtml(html) {
  const doc = new DOMParser().parseFromString('<body>' + html + '</body>', 'text/html');
  const out = document.createDocumentFragment();
  for (const child of Array.from(doc.body.childNodes)) {
    out.appendChild(safeNode(child));
  }
  return out;
}

function safeNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    return document.createTextNode(node.textContent);
  }
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return document.createTextNode('');
  }
  const tag = node.tagName.toLowerCase();
  const spoiler = tag === 'tg-spoiler' || (tag === 'span' && node.classList.contains('tg-spoiler'));
  const kind = spoiler ? 'span' : ALLOWED[tag];
  if (!kind) {
    // Anything outside Telegram's subset is shown as the text it is, never as markup.
    return document.createTextNode(node.outerHTML);
  }
  const element = document.createElement(kind);
  if (spoiler) {
    element.className = 'spoiler';
    element.addEventListener('click', () => element.classList.add('shown'));
  }
  if (kind === 'a') {
    const href = node.getAttribute('href') || '';
    if (/^(https?:|tg:)/i.test(href)) {
      element.href = href;
      element.target = '_blank';
      element.rel = 'noopener noreferrer';
    }
  }
  for (const child of Array.from(node.childNodes)) {
    element.appendChild(safeNode(child));
  }
  return element;
}

// ---- updates to the webhook ---------------------------------------------------------------
function from(user) {
  return { id: user.id, is_bot: false, first_name: user.name, language_code: user.lang };
}

function chatOf(user) {
  return { id: user.id, type: 'private', first_name: user.name };
}

async function postUpdate(update) {
  update.update_id = ++consoleState.nextUpdate;
  const answer = await fetch('/telegram/webhook', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json',
      'X-Telegram-Bot-Api-Secret-Token': consoleState.config.webhook_secret },
    body: JSON.stringify(update),
  });
  if (!answer.ok) {
    const sender = (update.message || update.callback_query || update.pre_checkout_query || {}).from;
    toast('The webhook answered ' + answer.status, false, sender && sender.id);
  }
}

function sendText(user, text) {
  const message = { message_id: consoleState.nextMessage++, date: Math.floor(Date.now() / 1000),
    from: from(user), chat: chatOf(user), text };
  if (text.startsWith('/')) {
    message.entities = [{ offset: 0, length: text.split(' ')[0].length, type: 'bot_command' }];
  }
  addUserMessage(user.id, text);
  return postUpdate({ message });
}

function press(user, messageId, data) {
  const id = 'cb' + Date.now() + Math.random().toString(16).slice(2, 6);
  // The bot's answerCallbackQuery names only the query: this is how its toast finds the chat.
  consoleState.presses.set(id, user.id);
  return postUpdate({ callback_query: { id,
    from: from(user), chat_instance: String(user.id),
    message: { message_id: messageId, date: Math.floor(Date.now() / 1000),
      from: { id: 1, is_bot: true, first_name: 'Kopeck' }, chat: chatOf(user), text: '…' },
    data } });
}

// A Stars payment as Telegram runs it: pre-checkout first, the successful_payment once it is answered ok.
function payStars(user, payload, total) {
  const id = 'pcq' + Date.now();
  consoleState.checkouts.set(id, { user, payload, total });
  return postUpdate({ pre_checkout_query: { id, from: from(user), currency: 'XTR', total_amount: total,
    invoice_payload: payload } });
}

function checkoutAnswered(params) {
  const checkout = consoleState.checkouts.get(params.pre_checkout_query_id);
  if (!checkout) {
    return;
  }
  consoleState.checkouts.delete(params.pre_checkout_query_id);
  if (String(params.ok) !== 'true') {
    toast(params.error_message || 'Payment refused', true, checkout.user.id);
    return;
  }
  postUpdate({ message: { message_id: consoleState.nextMessage++, date: Math.floor(Date.now() / 1000),
    from: from(checkout.user), chat: chatOf(checkout.user),
    successful_payment: { currency: 'XTR', total_amount: checkout.total, invoice_payload: checkout.payload,
      telegram_payment_charge_id: 'dev-charge-' + Date.now(), provider_payment_charge_id: '' } } });
}

// ---- the bot's calls -----------------------------------------------------------------------
function onCall(call) {
  const p = call.params || {};
  const result = call.answer && call.answer.result;
  switch (call.method) {
    case 'sendMessage':
    case 'sendInvoice':
    case 'sendDocument':
      if (call.answer.ok) {
        addBotMessage(Number(p.chat_id), result.message_id, call.method === 'sendInvoice' ? invoiceOf(p) : p);
      }
      break;
    case 'editMessageText':
    case 'editMessageReplyMarkup':
      editBotMessage(Number(p.chat_id), Number(p.message_id), p);
      break;
    case 'answerCallbackQuery': {
      const chatId = consoleState.presses.get(p.callback_query_id);
      consoleState.presses.delete(p.callback_query_id);
      if (p.text) {
        toast(p.text, String(p.show_alert) === 'true', chatId);
      }
      break;
    }
    case 'answerPreCheckoutQuery':
      checkoutAnswered(p);
      break;
    default:
      break;
  }
}

function invoiceOf(p) {
  const prices = typeof p.prices === 'string' ? JSON.parse(p.prices) : (p.prices || []);
  const total = prices.reduce((sum, price) => sum + Number(price.amount), 0);
  return { invoice: { title: p.title, description: p.description, payload: p.payload, currency: p.currency, total } };
}

// ---- chats ---------------------------------------------------------------------------------
function addChat(user, admin) {
  if (consoleState.chats.has(user.id)) {
    return consoleState.chats.get(user.id);
  }
  const root = document.getElementById('chat-template').content.firstElementChild.cloneNode(true);
  root.dataset.user = user.id;
  if (admin) {
    root.classList.add('admin');
  }
  root.querySelector('.avatar').textContent = (user.name || '?').slice(0, 1);
  root.querySelector('.name').textContent = user.name;
  root.querySelector('.id').textContent = admin ? 'admin chat ' + user.id : '#' + user.id + ' · ' + user.lang;
  const chat = { root, messages: new Map(), user };
  consoleState.chats.set(user.id, chat);
  // Admins type too (/admin_stats, /admin_user …): their chat is theirs as a user's is.
  root.querySelector('.composer').addEventListener('submit', event => {
    event.preventDefault();
    const input = root.querySelector('.text');
    if (input.value.trim()) {
      sendText(user, input.value.trim());
      input.value = '';
    }
  });
  if (admin) {
    root.querySelector('.history').remove();
    root.querySelector('.text').placeholder = '/admin_stats';
  } else {
    root.querySelector('.history').addEventListener('click', () => sendText(user, '/history'));
  }
  root.querySelector('.close').addEventListener('click', () => {
    root.remove();
    consoleState.chats.delete(user.id);
    consoleState.users = consoleState.users.filter(u => u.id !== user.id);
    saveUsers();
  });
  document.getElementById('chats').appendChild(root);
  return chat;
}

function scrollDown(chat) {
  const list = chat.root.querySelector('.messages');
  list.scrollTop = list.scrollHeight;
}

function addUserMessage(chatId, text) {
  const chat = consoleState.chats.get(chatId);
  if (!chat) {
    return;
  }
  const item = document.createElement('li');
  item.className = 'message mine';
  const body = document.createElement('div');
  body.className = 'body';
  body.textContent = text;
  item.appendChild(body);
  chat.root.querySelector('.messages').appendChild(item);
  scrollDown(chat);
}

function addBotMessage(chatId, messageId, p) {
  const chat = consoleState.chats.get(chatId);
  if (!chat) {
    return;
  }
  const item = document.createElement('li');
  item.className = 'message bot';
  item.dataset.messageId = messageId;
  fill(chat, item, messageId, p);
  chat.messages.set(messageId, item);
  chat.root.querySelector('.messages').appendChild(item);
  scrollDown(chat);
}

function editBotMessage(chatId, messageId, p) {
  const chat = consoleState.chats.get(chatId);
  const item = chat && chat.messages.get(messageId);
  if (!item) {
    return;
  }
  if (p.text === undefined) {
    p = Object.assign({}, p, { text: null, keepText: true });
  }
  fill(chat, item, messageId, p);
  item.classList.add('edited');
}

function fill(chat, item, messageId, p) {
  const keptBody = p.keepText ? item.querySelector('.body') : null;
  item.textContent = '';
  if (p.invoice) {
    item.appendChild(invoiceCard(chat.user, p.invoice));
  } else if (p.document_name !== undefined) {
    item.appendChild(documentCard(p));
  } else {
    const body = keptBody || document.createElement('div');
    if (!keptBody) {
      body.className = 'body';
      if (p.parse_mode === 'HTML') {
        body.appendChild(renderHtml(p.text || ''));
      } else {
        body.textContent = p.text || '';
      }
    }
    item.appendChild(body);
  }
  const markup = typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup;
  if (markup && markup.inline_keyboard) {
    item.appendChild(inlineKeyboard(chat.user, messageId, markup.inline_keyboard));
  }
  if (markup && markup.keyboard) {
    replyKeyboard(chat, markup.keyboard);
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = new Date().toLocaleTimeString();
  item.appendChild(meta);
}

// A file the bot sent (sendDocument): its name, its caption, and the start of its content as text.
function documentCard(p) {
  const card = document.createElement('div');
  card.className = 'body document';
  const name = document.createElement('div');
  name.className = 'document-name';
  name.textContent = '📄 ' + p.document_name;
  card.appendChild(name);
  if (p.caption) {
    const caption = document.createElement('div');
    caption.appendChild(p.parse_mode === 'HTML' ? renderHtml(p.caption) : document.createTextNode(p.caption));
    card.appendChild(caption);
  }
  const preview = document.createElement('pre');
  preview.className = 'document-preview';
  preview.textContent = p.document_preview || '';
  card.appendChild(preview);
  return card;
}

function inlineKeyboard(user, messageId, rows) {
  const box = document.createElement('div');
  box.className = 'inline-keyboard';
  for (const row of rows) {
    const line = document.createElement('div');
    line.className = 'row';
    for (const button of row) {
      const element = document.createElement('button');
      element.type = 'button';
      element.textContent = button.text;
      if (button.url) {
        element.className = 'url';
        element.dataset.url = button.url;
        element.addEventListener('click', () => openLink(user, button.url));
      } else {
        element.dataset.callback = button.callback_data;
        element.addEventListener('click', () => press(user, messageId, button.callback_data));
      }
      line.appendChild(element);
    }
    box.appendChild(line);
  }
  return box;
}

// A Stars subscription link (https://t.me/$inv:…) is paid in place, like a Telegram invoice.
function openLink(user, url) {
  const stars = /^https:\/\/t\.me\/\$(inv:\d+)$/.exec(url);
  if (stars) {
    const total = Number(prompt('Stars to pay for ' + stars[1] + ':', '') || 0);
    if (total > 0) {
      payStars(user, stars[1], total);
    }
    return;
  }
  window.open(url, '_blank', 'noopener');
}

function invoiceCard(user, invoice) {
  const card = document.createElement('div');
  card.className = 'invoice';
  const title = document.createElement('strong');
  title.textContent = invoice.title;
  const description = document.createElement('div');
  description.textContent = invoice.description;
  const pay = document.createElement('button');
  pay.type = 'button';
  pay.className = 'pay';
  pay.textContent = 'Pay ' + (invoice.currency === 'XTR' ? '⭐ ' + invoice.total : invoice.total + ' ' + invoice.currency);
  pay.addEventListener('click', () => payStars(user, invoice.payload, invoice.total));
  card.append(title, description, pay);
  return card;
}

function replyKeyboard(chat, rows) {
  const box = chat.root.querySelector('.reply-keyboard');
  box.textContent = '';
  for (const row of rows) {
    const line = document.createElement('div');
    line.className = 'row';
    for (const button of row) {
      const text = typeof button === 'string' ? button : button.text;
      const element = document.createElement('button');
      element.type = 'button';
      element.textContent = text;
      element.addEventListener('click', () => sendText(chat.user, text));
      line.appendChild(element);
    }
    box.appendChild(line);
  }
}

// ---- Runner panel --------------------------------------------------------------------------
async function sendTrackCost(event) {
  event.preventDefault();
  const userId = Number(document.getElementById('runner-user').value);
  let nodes;
  try {
    nodes = JSON.parse(document.getElementById('runner-nodes').value || '{}');
  } catch (e) {
    toast('node costs must be a JSON object', true);
    return;
  }
  const body = { event_id: 'dev-' + Date.now(), user_id: userId, track: document.getElementById('runner-track').value,
    total_cost: document.getElementById('runner-cost').value, currency: 'RUB', node_costs: nodes };
  const auth = { Authorization: 'Bearer ' + consoleState.config.runner_key };
  const charged = await fetch('/api/v1/track-costs', { method: 'POST',
    headers: Object.assign({ 'Content-Type': 'application/json' }, auth), body: JSON.stringify(body) });
  const answer = await charged.json();
  const balance = await fetch('/api/v1/users/' + userId + '/balance', { headers: auth }).then(r => r.json());
  document.getElementById('runner-answer').textContent = charged.status + ' ' + JSON.stringify(answer)
    + ' · balance ' + balance.token_balance;
}

function refreshRunnerUsers() {
  const select = document.getElementById('runner-user');
  select.textContent = '';
  for (const user of consoleState.users) {
    const option = document.createElement('option');
    option.value = user.id;
    option.textContent = user.name + ' #' + user.id;
    select.appendChild(option);
  }
}

// ---- page ----------------------------------------------------------------------------------
let toastTimer;
// A toast about one chat shows inside that chat (several chats are open at once); others at the bottom.
function toast(text, alert, chatId) {
  const chat = chatId === undefined ? null : consoleState.chats.get(Number(chatId));
  if (chat) {
    const box = document.createElement('div');
    box.className = 'chat-toast' + (alert ? ' alert' : '');
    box.setAttribute('role', 'status');
    box.textContent = text;
    chat.root.appendChild(box);
    setTimeout(() => box.remove(), alert ? 5000 : 2500);
    return;
  }
  const box = document.getElementById('toast');
  box.textContent = text;
  box.className = alert ? 'alert' : '';
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 5000 : 2500);
}

function saveUsers() {
  localStorage.setItem('kopeck.dev.users', JSON.stringify(consoleState.users));
  refreshRunnerUsers();
}

function loadUsers() {
  try {
    const saved = JSON.parse(localStorage.getItem('kopeck.dev.users'));
    return Array.isArray(saved) && saved.length ? saved : DEFAULT_USERS;
  } catch (e) {
    return DEFAULT_USERS;
  }
}

function addUser(user, reveal) {
  if (consoleState.users.some(u => u.id === user.id)) {
    return;
  }
  consoleState.users.push(user);
  const chat = addChat(user, false);
  saveUsers();
  if (reveal) {
    // A chat added by hand lands at the end of the row: bring it into view, its input ready.
    chat.root.scrollIntoView({ behavior: 'smooth', block: 'nearest', inline: 'nearest' });
    chat.root.querySelector('.text').focus({ preventScroll: true });
  }
}

async function start() {
  consoleState.config = await fetch('/dev/config').then(r => r.json());
  // Another tab may be posting too: start at a random distance past the last id the webhook saw.
  consoleState.nextUpdate = consoleState.config.next_update_id + Math.floor(Math.random() * 100000);
  for (const id of consoleState.config.admin_chat_ids) {
    addChat({ id, name: 'Admins', lang: '' }, true);
  }
  loadUsers().forEach(addUser);
  document.getElementById('add-user').addEventListener('submit', event => {
    event.preventDefault();
    const id = Number(document.getElementById('new-id').value);
    const name = document.getElementById('new-name').value;
    if (id > 0 && name) {
      addUser({ id, name, lang: document.getElementById('new-lang').value }, true);
      event.target.reset();
    }
  });
  document.getElementById('runner').addEventListener('submit', sendTrackCost);
  const events = new EventSource('/dev/events');
  const status = document.getElementById('status');
  events.onopen = () => { status.textContent = 'live'; };
  events.onerror = () => { status.textContent = 'reconnecting…'; };
  events.onmessage = message => onCall(JSON.parse(message.data));
}

start();
