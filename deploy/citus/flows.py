#!/usr/bin/env python3
"""Kopeck's money flows against two service instances on one Citus cluster (run by test.sh).

Purchases through the bot and the mock provider, promo codes and trials, 10,000 track_cost charges
(request and NDJSON stream, 10 % repeated), renewals and notices for 200 subscriptions, Stars
purchases, 20 Runner task streams, a refund. Every answer is
checked for exactly-once behaviour and every balance against the answers; the caller then runs
`kopeck ledger verify`. Standard library only. Exits non-zero on the first broken expectation.
"""
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INSTANCES = os.environ["INSTANCES"].split()          # base URLs of the two instances
DB = os.environ["CITUS_DB_URL"]                      # the coordinator (psql reads)
RUNNER_KEY = os.environ["RUNNER_KEY"]
ADMIN_KEY = os.environ["ADMIN_KEY"]
WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"]
FIRST_USER = 7_100_000
rng = random.Random(16)


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def sql(query):
    out = subprocess.run(["psql", DB, "-qAtX", "-F", "|", "-c", query], capture_output=True, text=True)
    if out.returncode != 0:
        fail("psql: " + out.stderr.strip())
    return [line.split("|") for line in out.stdout.splitlines() if line]


def http(method, url, body=None, headers=None, form=False):
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def admin(method, instance, path, body=None):
    status, text = http(method, instance + "/admin/api/v1" + path, body, {"Authorization": "Bearer " + ADMIN_KEY})
    return status, json.loads(text) if text else None


update_ids = iter(range(int(time.time()) % 1_000_000 * 1000, 2**31))


def webhook(instance, update):
    update["update_id"] = next(update_ids)
    status, text = http("POST", instance + "/telegram/webhook", update,
                        {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
    check(status == 200, f"webhook answered {status}: {text}")


def message(user, text):
    sender = {"id": user, "is_bot": False, "first_name": f"U{user}", "language_code": "en"}
    return {"message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user, "type": "private"},
                        "from": sender, "text": text}}


def callback(user, data):
    sender = {"id": user, "is_bot": False, "first_name": f"U{user}", "language_code": "en"}
    return {"callback_query": {"id": str(next(update_ids)), "from": sender, "chat_instance": "1", "data": data,
                               "message": {"message_id": 1, "date": int(time.time()),
                                           "chat": {"id": user, "type": "private"}, "text": "tariffs"}}}


def wait_for(what, probe, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    fail("timed out waiting for " + what)


def shard_nodes(users):
    """The worker port of each user's shard."""
    ids = ",".join(str(u) for u in users)
    rows = sql(f"SELECT u, nodeport FROM unnest(ARRAY[{ids}]::bigint[]) u "
               "JOIN citus_shards s ON s.shardid = get_shard_id_for_distribution_column('users', u) "
               "AND s.table_name = 'users'::regclass")
    return {int(u): int(port) for u, port in rows}


def seed_users(users, first_name, amount_of, extra=None):
    """Users created directly (`extra`: more columns and their SQL values), then credited through the
    admin API (alternating instances)."""
    extra = extra or {}
    columns = "".join(", " + c for c in extra)
    values = "".join(", " + v for v in extra.values())
    sql(f"INSERT INTO users (id, first_name{columns}) SELECT g, '{first_name}'{values} FROM "
        f"unnest(ARRAY[{','.join(str(u) for u in users)}]::bigint[]) g ON CONFLICT DO NOTHING")
    for user in users:
        status, body = admin("POST", INSTANCES[user % 2], f"/users/{user}/adjust",
                             {"amount": amount_of(user), "reason": "citus test seed", "idempotency_key": f"seed-{user}"})
        check(status == 200, f"seed {user}: {status} {body}")


def charged_once(events, answers, retried=None):
    """Each event's first answer `charged` (or, after `unavailable` retries, `duplicate` of a commit whose
    answer was lost), every later one `duplicate` with the same tokens. Answers (statuses, tokens spent
    per user, commits whose first answer was lost)."""
    statuses, spent, lost = Counter(), defaultdict(Decimal), 0
    for event in events:
        results = answers[event["event_id"]]
        check(results, f"no answer for {event['event_id']}")
        first_status, first_body = results[0]
        committed_unanswered = bool(retried and retried[event["event_id"]]) and first_body.get("status") == "duplicate"
        check(first_status == 200 and (first_body["status"] == "charged" or committed_unanswered),
              f"{event['event_id']} first answer {first_status} {first_body}")
        lost += committed_unanswered
        spent[event["user_id"]] += Decimal(first_body["tokens_charged"])
        for status, body in results[1:]:
            check(status == 200 and body["status"] == "duplicate"
                  and Decimal(body["tokens_charged"]) == Decimal(first_body["tokens_charged"]),
                  f"{event['event_id']} repeated: {status} {body}")
        for _, body in results:
            statuses[body["status"]] += 1
    return statuses, spent, lost


def balances_match(users, seeded, spent, usage_rows):
    for user, balance in sql(f"SELECT id, token_balance FROM users WHERE id BETWEEN {users[0]} AND {users[-1]}"):
        check(Decimal(balance) == Decimal(seeded) - spent[int(user)], f"user {user}: {balance} vs {seeded} - spent")
    count = int(sql(f"SELECT count(*) FROM usage_charges WHERE user_id BETWEEN {users[0]} AND {users[-1]}")[0][0])
    check(count == usage_rows, f"{count} usage rows for {usage_rows} events")


task_ids = iter(range(1, 10**9))


def bot_runs():
    """A track defined through one instance; 10 users start it from the bot through both; each run
    streamed, priced at the end (0.5 × 4 = 2 tokens) and settled once with its hold (SPEC §18)."""
    status, body = admin("POST", INSTANCES[0], "/tracks", {
        "slug": "citus", "command": "citus", "title": {"en": "Citus"}, "input": {"kind": "text", "field": "text"},
        "runner": {"path": "/citus-track"}, "price": {"multiplier": "4"}, "hold": "5"})
    check(status == 201, f"track: {status} {body}")
    users = list(range(FIRST_USER + 340, FIRST_USER + 350))
    seed_users(users, "bot-run-user", lambda user: "50")
    time.sleep(11)  # each instance reads definitions at most 10 s old
    for user in users:
        webhook(INSTANCES[user % 2], message(user, "/citus"))
    wait_for("10 asked for their input", lambda: sql(
        f"SELECT 1 FROM bot_sessions WHERE user_id BETWEEN {users[0]} AND {users[-1]} AND state = 'TRACK_INPUT' "
        "HAVING count(*) = 10"), 60)
    for user in users:
        webhook(INSTANCES[(user + 1) % 2], message(user, f"text of {user}"))
    wait_for("10 bot runs done", lambda: sql(
        f"SELECT 1 FROM runner_runs WHERE user_id BETWEEN {users[0]} AND {users[-1]} AND origin = 'bot' "
        "HAVING count(*) FILTER (WHERE status = 'done') = 10"), 120)
    rows = sql(f"SELECT count(*), count(DISTINCT t.user_id), min(u.token_balance), max(u.token_balance), max(u.held) "
               f"FROM transactions t JOIN users u ON u.id = t.user_id WHERE t.user_id BETWEEN {users[0]} AND {users[-1]} "
               "AND t.idempotency_key LIKE 'run:%:settle'")[0]
    check(rows == ["10", "10", "48.0000", "48.0000", "0.0000"], f"bot runs settled: {rows}")
    print("bot runs: a track defined, 10 users ran it from the bot through both instances, each settled once "
          "(2 tokens), holds released", flush=True)


def holds():
    """Holds through both instances at once (SPEC §19): 30 concurrent holds of 10 per user with 100
    available → 10 each; half settled (12, more than the hold), half released."""
    users = list(range(FIRST_USER + 360, FIRST_USER + 380))
    seed_users(users, "hold-user", lambda user: "100")
    results = defaultdict(Counter)
    lock = threading.Lock()

    def place(user, n):
        status, _ = http("POST", INSTANCES[n % 2] + "/api/v1/holds",
                         {"hold_id": f"h-{user}-{n}", "user_id": user, "amount": "10"},
                         {"Authorization": "Bearer " + RUNNER_KEY})
        with lock:
            results[user][status] += 1

    # 60 at a time (30 per instance, well under HTTP_MAX_CONNECTIONS_PER_IP), a user's 30 next to each other.
    with ThreadPoolExecutor(max_workers=60) as pool:
        list(pool.map(lambda task: place(*task), [(user, n) for user in users for n in range(30)]))
    for user in users:
        check(results[user] == Counter({201: 10, 409: 20}), f"holds of {user}: {dict(results[user])}")
    placed = {user: [h for (h,) in sql(f"SELECT hold_id FROM holds WHERE user_id = {user} ORDER BY hold_id")]
              for user in users}
    for user in users:
        for i, hold in enumerate(placed[user]):
            action = "settle" if i % 2 == 0 else "release"
            for instance in INSTANCES:   # each twice, through both: once
                status, text = http("POST", f"{instance}/api/v1/holds/{hold}/{action}",
                                    {"amount": "12"} if action == "settle" else {},
                                    {"Authorization": "Bearer " + RUNNER_KEY})
                check(status == 200, f"{action} {hold}: {status} {text}")
    rows = sql(f"SELECT min(token_balance), max(token_balance), max(held) FROM users "
               f"WHERE id BETWEEN {users[0]} AND {users[-1]}")[0]
    check(rows == ["40.0000", "40.0000", "0.0000"], f"after settling and releasing: {rows}")
    print("holds: 600 holds, 60 at a time through both instances, 10 of 30 taken per user (never more than "
          "available), 100 settled and 100 released twice each, once", flush=True)


# ---------------------------------------------------------------------------------------------
class Receiver(BaseHTTPRequestHandler):
    """The owner's webhook receiver (SPEC §21): checks each signature as docs/webhooks.md says."""
    events = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = dict(p.split("=", 1) for p in self.headers.get("Kopeck-Signature", "").split(",") if "=" in p)
        expected = hmac.new(os.environ["WEBHOOK_SIGNING_SECRET"].encode(), parts.get("t", "").encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, parts.get("v1", ""))
        with Receiver.lock:
            Receiver.events.append((self.headers.get("Kopeck-Event-Id"), valid, json.loads(body)))
        self.send_response(204 if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


def integrations():
    """Credit grants, payment links and events out through both instances (SPEC §21): two grants per user
    given twice (once), usage consuming the grant that ends first, the timers of both instances ending
    each grant once with its rest; a payment link paid through the mock; every event signed, each id
    delivered as one event."""
    users = list(range(FIRST_USER + 500, FIRST_USER + 520))
    seed_users(users, "grant-user", lambda user: "100")
    # The setup below takes a few seconds; the timers (every second) end the grants after it.
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 20))
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 25))
    for i, user in enumerate(users):
        for grant, amount, ends in (("soon", "20", soon), ("later", "30", later)):
            for n, instance in enumerate(INSTANCES):
                status, text = http("POST", f"{instance}/admin/api/v1/users/{user}/grants",
                                    {"grant_id": grant, "amount": amount, "expires_at": ends},
                                    {"Authorization": "Bearer " + ADMIN_KEY})
                check(status == (201 if n == 0 else 200), f"grant {grant} of {user} #{n}: {status} {text}")
        status, text = http("POST", INSTANCES[i % 2] + "/api/v1/track-costs",
                            {"event_id": f"grant-use-{user}", "user_id": user, "total_cost": "5", "currency": "RUB"},
                            {"Authorization": "Bearer " + RUNNER_KEY})
        check(status == 200, f"charge of {user}: {status} {text}")
    status, text = http("GET", f"{INSTANCES[1]}/api/v1/users/{users[0]}/balance", None,
                        {"Authorization": "Bearer " + RUNNER_KEY})
    grants = {g["grant_id"]: g["remaining"] for g in json.loads(text)["grants"]}
    # 5 ₽ at the cost multiplier of the instances (3.14): 15.7 tokens, all from the grant that ends first.
    check(grants == {"soon": "4.3000", "later": "30.0000"}, f"grants of {users[0]} after usage: {grants}")
    for user in users[:10]:   # a second, small charge for half of them: paid tokens only
        http("POST", INSTANCES[0] + "/api/v1/track-costs",
             {"event_id": f"grant-use-2-{user}", "user_id": user, "total_cost": "1", "currency": "RUB"},
             {"Authorization": "Bearer " + RUNNER_KEY})
    wait_for("every grant ended", lambda: sql(
        f"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM grants WHERE user_id BETWEEN {users[0]} AND {users[-1]} "
        f"AND expired_at IS NULL)"), seconds=60)
    rows = sql(f"SELECT count(*), coalesce(sum(expired_amount), 0) FROM grants "
               f"WHERE user_id BETWEEN {users[0]} AND {users[-1]}")[0]
    expiry_rows = sql(f"SELECT count(*) FROM transactions WHERE type = 'expiry' "
                      f"AND user_id BETWEEN {users[0]} AND {users[-1]}")[0][0]
    # Ten users spent 3.14 more from "soon" before it ended: 10 × (4.3 + 30) + 10 × (1.16 + 30) taken back.
    check(rows == ["40", "654.6000"] and expiry_rows == "40", f"grants ended: {rows}, expiry rows {expiry_rows}")
    balances = Counter(b for (b,) in sql(f"SELECT token_balance FROM users WHERE id BETWEEN {users[0]} AND {users[-1]}"))
    # Usage took grant tokens only, so each user is left with the 100 paid tokens they started with.
    check(balances == Counter({"100.0000": 20}), f"paid tokens left: {dict(balances)}")

    buyer = FIRST_USER + 530
    seed_users([buyer], "link-user", lambda user: "1")
    status, text = http("POST", f"{INSTANCES[0]}/api/v1/users/{buyer}/payment-links", {"tariff": "basic"},
                        {"Authorization": "Bearer " + RUNNER_KEY})
    check(status == 201, f"payment link: {status} {text}")
    link = json.loads(text)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(link["url"]).query))
    for instance in INSTANCES:
        http("POST", instance + "/mock-payment/pay", params, form=True)
    paid = sql(f"SELECT count(*) FROM transactions WHERE user_id = {buyer} AND type = 'topup'")[0][0]
    check(paid == "1", f"payment link paid through both instances credited {paid} times")

    def delivered(kind, user_ids):
        with Receiver.lock:
            return [e for e in Receiver.events if e[2]["type"] == kind and e[2]["data"]["user_id"] in user_ids]
    wait_for("grant.expired events", lambda: len({e[0] for e in delivered("grant.expired", users)}) == 40 or None)
    wait_for("payment.succeeded event", lambda: delivered("payment.succeeded", [buyer]) or None)
    with Receiver.lock:
        events = list(Receiver.events)
    check(all(valid for _, valid, _ in events), "every delivery's signature is valid")
    ids = Counter(event_id for event_id, _, _ in events)
    grant_events = {(e[2]["data"]["user_id"], e[2]["data"]["grant_id"]) for e in delivered("grant.expired", users)}
    check(len(grant_events) == 40, f"one grant.expired per grant: {len(grant_events)}")
    print(f"integrations: 40 grants given twice each through both instances (once), usage taking the one that "
          f"ends first, each ended once with its rest by two instances' timers (654.6 tokens in 40 rows); "
          f"a payment link paid through both instances credited once; "
          f"{len(events)} deliveries of {len(ids)} events, every signature valid", flush=True)


# ---------------------------------------------------------------------------------------------
def purchases():
    buyers = list(range(FIRST_USER, FIRST_USER + 10))
    nodes = Counter(shard_nodes(buyers).values())
    check(len(nodes) >= 2, f"buyers should live on both workers: {nodes}")
    invoices = {}
    for i, user in enumerate(buyers):
        instance = INSTANCES[i % 2]
        webhook(instance, message(user, "/start"))
        webhook(instance, callback(user, "1:tar:basic"))
        row = wait_for(f"the invoice of {user}", lambda: sql(
            f"SELECT inv_id, payment_url FROM invoices WHERE user_id = {user} AND status = 'pending'"))
        inv_id, url = row[0]
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        # The payer presses Pay on the mock page of the other instance: any instance may take it.
        status, text = http("POST", INSTANCES[(i + 1) % 2] + "/mock-payment/pay", params, form=True)
        check(status in (200, 303, 302), f"mock pay for {inv_id}: {status} {text[:200]}")
        invoices[user] = int(inv_id)
    for user, inv_id in invoices.items():
        state = sql(f"SELECT status, (SELECT token_balance FROM users WHERE id = {user}) FROM invoices "
                    f"WHERE user_id = {user} AND inv_id = {inv_id}")[0]
        check(state[0] == "paid" and Decimal(state[1]) == Decimal(200), f"purchase of {user}: {state}")
    # The provider's callback repeated on both instances: answered OK, credited once.
    user, inv_id = next(iter(invoices.items()))
    url = sql(f"SELECT payment_url FROM invoices WHERE inv_id = {inv_id}")[0][0]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
    for instance in INSTANCES:
        http("POST", instance + "/mock-payment/pay", params, form=True)
    rows = sql(f"SELECT count(*) FROM transactions WHERE user_id = {user} AND invoice_id IS NOT NULL")
    check(rows[0][0] == "1", f"repeated callbacks credited {rows[0][0]} times")
    print(f"purchases: {len(invoices)} paid through the mock (users on workers {dict(nodes)}), "
          "repeated callbacks credited once", flush=True)
    return invoices


# ---------------------------------------------------------------------------------------------
def charges():
    users = list(range(FIRST_USER + 100, FIRST_USER + 200))
    seed_users(users, "charge-user", lambda user: "1000")
    events = [{"user_id": rng.choice(users), "event_id": f"ev-{n}", "track": "citus",
               "total_cost": str(Decimal(rng.randint(1, 500)) / 100), "currency": "RUB"} for n in range(9000)]
    repeats = [rng.choice(events[:4000]) for _ in range(500)] + [rng.choice(events[4500:8500]) for _ in range(500)]
    request_mode = events[:4500] + repeats[:500]
    stream_mode = events[4500:] + repeats[500:]
    answers = defaultdict(list)
    lock = threading.Lock()

    def send_requests(part, instance):
        for event in part:
            status, text = http("POST", instance + "/api/v1/track-costs", event,
                                {"Authorization": "Bearer " + RUNNER_KEY})
            with lock:
                answers[event["event_id"]].append((status, json.loads(text)))

    def send_stream(part, instance):
        for start in range(0, len(part), 500):
            chunk = part[start:start + 500]
            body = "\n".join(json.dumps(e) for e in chunk)
            status, text = http("POST", instance + "/api/v1/track-costs", body,
                                {"Authorization": "Bearer " + RUNNER_KEY, "Content-Type": "application/x-ndjson"})
            check(status == 200, f"stream answered {status}: {text[:200]}")
            lines = [json.loads(line) for line in text.splitlines()]
            check(len(lines) == len(chunk), f"stream: {len(lines)} answers for {len(chunk)} lines")
            with lock:
                for event, line in zip(chunk, lines):
                    answers[event["event_id"]].append((200, line))

    # Request mode first (repeats sent after their originals were answered), then streams.
    started = time.time()
    threads = []
    first, second = request_mode[:4500], request_mode[4500:]
    for k in range(16):
        threads.append(threading.Thread(target=send_requests, args=(first[k::16], INSTANCES[k % 2])))
    [t.start() for t in threads]
    [t.join() for t in threads]
    send_requests(second, INSTANCES[0])
    threads = [threading.Thread(target=send_stream, args=(stream_mode[:4000][k::4], INSTANCES[k % 2]))
               for k in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    send_stream(stream_mode[4000:], INSTANCES[1])
    elapsed = time.time() - started

    statuses, spent, _ = charged_once(events, answers)
    check(sum(statuses.values()) == 10_000, f"{sum(statuses.values())} answers")
    balances_match(users, 1000, spent, 9000)
    print(f"charges: 10,000 sent in {elapsed:.1f} s (5,000 requests over 16 connections, 5,000 in NDJSON streams) "
          f"→ {dict(statuses)}; 100 balances match the answers; 9,000 usage rows", flush=True)


# ---------------------------------------------------------------------------------------------
def subscriptions():
    first = FIRST_USER + 1000
    renewable = list(range(first, first + 100))      # balance covers the fee: renewed
    short = list(range(first + 100, first + 150))    # balance does not: lapsed, told once
    ending = list(range(first + 150, first + 200))   # ends in 2 days: told once
    all_users = renewable + short + ending
    seed_users(all_users, "sub-user", lambda user: "50" if user in short else "500", {"low_balance_tier": "NULL"})
    sql("UPDATE users SET tariff_id = (SELECT id FROM tariffs WHERE slug = 'basic'), auto_renew = true, "
        f"subscription_end = now() - interval '1 minute' WHERE id BETWEEN {first} AND {first + 149}")
    sql("UPDATE users SET tariff_id = (SELECT id FROM tariffs WHERE slug = 'basic'), auto_renew = true, "
        f"subscription_end = now() + interval '2 days' WHERE id BETWEEN {first + 150} AND {first + 199}")

    def done():
        rows = sql(f"SELECT count(*) FILTER (WHERE subscription_end > now() + interval '20 days'), "
                   f"count(*) FILTER (WHERE expired_notified), count(*) FILTER (WHERE last_expiry_notice IS NOT NULL) "
                   f"FROM users WHERE id BETWEEN {first} AND {first + 199}")[0]
        return rows if rows == ["100", "50", "50"] else None

    wait_for("renewals and notices by the timers of both instances", done, 120)
    renewals = sql(f"SELECT user_id, count(*) FROM transactions WHERE type = 'subscription' "
                   f"AND user_id BETWEEN {first} AND {first + 199} GROUP BY user_id")
    check(len(renewals) == 100 and all(c == "1" for _, c in renewals), f"renewals per user: {renewals[:5]}…")
    notices = dict(sql(f"SELECT kind, count(*) FROM notifications WHERE user_id BETWEEN {first} AND {first + 199} "
                       "GROUP BY kind"))
    check(notices.get("subscription_renewed") == "100" and notices.get("subscription_expired") == "50"
          and notices.get("subscription_ending") == "50", f"notices: {notices}")
    print(f"subscriptions: 100 renewed once, 50 lapsed and told once, 50 told of the end once by two instances "
          f"(outbox rows of these users by kind: {notices})", flush=True)


# ---------------------------------------------------------------------------------------------
def refund(invoices):
    user, inv_id = list(invoices.items())[-1]
    status, body = admin("POST", INSTANCES[0], f"/invoices/{inv_id}/refund", {"reason": "citus test"})
    check(status == 200 and body["status"] == "refunded", f"refund: {status} {body}")
    again, body2 = admin("POST", INSTANCES[1], f"/invoices/{inv_id}/refund", {"reason": "citus test"})
    check(again == 409, f"second refund: {again} {body2}")
    balance = sql(f"SELECT token_balance FROM users WHERE id = {user}")[0][0]
    check(Decimal(balance) == 0, f"balance after the refund: {balance}")
    print(f"refund: invoice {inv_id} refunded once (second request {again}), balance {balance}", flush=True)


def ask_for_code(instance, user):
    """/promo, then wait until the bot asks (a person types the code after the question)."""
    asked = sql("SELECT clock_timestamp()")[0][0]
    webhook(instance, message(user, "/promo"))
    wait_for(f"the code question to {user}", lambda: sql(
        f"SELECT 1 FROM bot_sessions WHERE user_id = {user} AND updated_at >= '{asked}'"))


# ---------------------------------------------------------------------------------------------
def promo_codes_and_trials():
    """Codes live in a reference table: using one writes it and the user's shard in one transaction."""
    for body in ({"code": "CITUS20", "discount_type": "percent", "discount_value": "20", "max_uses": 100},
                 {"code": "CITUSTRIAL", "discount_type": "trial", "tariff": "trial"}):
        status, answer = admin("POST", INSTANCES[0], "/promo-codes", body)
        check(status in (201, 409), f"promo code {body['code']}: {status} {answer}")
    buyers = list(range(FIRST_USER + 20, FIRST_USER + 24))
    for i, user in enumerate(buyers):
        instance = INSTANCES[i % 2]
        webhook(instance, message(user, "/start"))
        ask_for_code(instance, user)
        webhook(instance, message(user, "CITUSTRIAL"))
        wait_for(f"the trial of {user}", lambda: sql(
            f"SELECT 1 FROM promo_redemptions WHERE user_id = {user} AND kind = 'trial'"))
        ask_for_code(instance, user)
        webhook(instance, message(user, "CITUS20"))
        wait_for(f"the saved code of {user}", lambda: sql(
            f"SELECT 1 FROM users WHERE id = {user} AND saved_promo_code = 'CITUS20'"))
        webhook(instance, callback(user, "1:tar:basic"))
        row = wait_for(f"the discounted invoice of {user}", lambda: sql(
            f"SELECT inv_id, payment_url, amount FROM invoices WHERE user_id = {user} AND status = 'pending'"))
        inv_id, url, amount = row[0]
        check(Decimal(amount) == Decimal("159.20"), f"discounted amount {amount}")
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        status, text = http("POST", INSTANCES[(i + 1) % 2] + "/mock-payment/pay", params, form=True)
        check(status in (200, 302, 303), f"mock pay for {inv_id}: {status}")
        wait_for(f"payment of {inv_id}", lambda: sql(f"SELECT 1 FROM invoices WHERE inv_id = {inv_id} AND status = 'paid'"))
        webhook(instance, message(user, "/history"))
    uses = dict(sql("SELECT code, uses_count FROM promo_codes WHERE code IN ('CITUS20', 'CITUSTRIAL')"))
    check(uses == {"CITUS20": "4", "CITUSTRIAL": "4"}, f"code uses {uses}")
    balances = {int(u): Decimal(b) for u, b in sql(
        f"SELECT id, token_balance FROM users WHERE id BETWEEN {buyers[0]} AND {buyers[-1]}")}
    check(all(b == Decimal(230) for b in balances.values()), f"trial 30 + purchase 200: {balances}")
    status, stats = admin("GET", INSTANCES[1], "/stats")
    check(status == 200, f"stats: {status} {stats}")
    status, account = admin("GET", INSTANCES[0], f"/users/{buyers[0]}")
    check(status == 200, f"user show: {status} {account}")
    print(f"promo codes: 4 trials and 4 purchases at 20 % off (159.20) through both instances, "
          f"uses counted {uses}; stats and user show answer 200", flush=True)


# ---------------------------------------------------------------------------------------------
def stars():
    """Stars purchases: pre-checkout, successful_payment at both instances, a second charge returned."""
    buyers = list(range(FIRST_USER + 400, FIRST_USER + 404))
    for i, user in enumerate(buyers):
        instance = INSTANCES[i % 2]
        webhook(instance, message(user, "/start"))
        webhook(instance, callback(user, "1:tar:basic"))
        preview = wait_for(f"the invoice of {user}", lambda: sql(
            f"SELECT inv_id FROM invoices WHERE user_id = {user} AND provider = 'mock' AND status = 'pending'"))[0][0]
        webhook(instance, callback(user, f"1:pay:{preview}.s"))
        inv_id, amount = wait_for(f"the Stars invoice of {user}", lambda: sql(
            f"SELECT inv_id, amount::int FROM invoices WHERE user_id = {user} AND provider = 'stars'"))[0]
        sender = {"id": user, "is_bot": False, "first_name": f"U{user}", "language_code": "en"}
        webhook(instance, {"pre_checkout_query": {"id": f"pcq-{user}", "from": sender, "currency": "XTR",
                                                  "total_amount": int(amount), "invoice_payload": f"inv:{inv_id}"}})
        paid = message(user, None)
        del paid["message"]["text"]
        paid["message"]["successful_payment"] = {"currency": "XTR", "total_amount": int(amount),
                                                 "invoice_payload": f"inv:{inv_id}",
                                                 "telegram_payment_charge_id": f"stxn-{user}",
                                                 "provider_payment_charge_id": ""}
        for target in INSTANCES:          # delivered twice, to both instances
            webhook(target, json.loads(json.dumps(paid)))
        wait_for(f"the Stars payment of {user}", lambda: sql(
            f"SELECT 1 FROM invoices WHERE inv_id = {inv_id} AND status = 'paid'"))
        if i == len(buyers) - 1:          # the same invoice paid again with another charge: returned
            paid["message"]["successful_payment"]["telegram_payment_charge_id"] = f"stxn-{user}-again"
            webhook(instance, paid)
            wait_for("the second charge returned", lambda: sql(
                f"SELECT 1 FROM payments WHERE user_id = {user} AND provider_payment_id = 'stxn-{user}-again' "
                "AND status = 'returned'"))
    rows = sql(f"SELECT u.id, u.token_balance, count(p.id) FILTER (WHERE p.status = 'credited'), "
               f"count(t.id) FROM users u LEFT JOIN payments p ON p.user_id = u.id AND p.provider = 'stars' "
               f"LEFT JOIN transactions t ON t.user_id = u.id AND t.type = 'topup' "
               f"WHERE u.id BETWEEN {buyers[0]} AND {buyers[-1]} GROUP BY u.id")
    for user, balance, credited, topups in rows:
        check(Decimal(balance) == Decimal(200) and credited == "1", f"Stars buyer {user}: {balance}, {credited} credited")
    print(f"stars: 4 purchases paid in Stars, each successful_payment delivered to both instances → credited once; "
          f"a second charge of a paid invoice returned", flush=True)


# ---------------------------------------------------------------------------------------------
def runner_streams():
    """20 Runner task streams (SSE) followed by the two instances: 3 track_cost events each."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    runner_port = int(os.environ["RUNNER_PORT"])

    class Runner(BaseHTTPRequestHandler):
        """The seed's wire format: /health, task creation (multipart) and each task's stream."""
        def do_POST(self):
            if self.headers.get("X-API-Key") != os.environ["RUNNER_STREAM_KEY"]:
                self.send_response(401)
                self.end_headers()
                return
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            task = f"citus-task-{next(task_ids)}"
            self.answer({"task_id": task, "status": "queued", "queue_position": 0,
                         "stream_url": f"/api/tasks/{task}/stream"})

        def answer(self, body):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.headers.get("X-API-Key") != os.environ["RUNNER_STREAM_KEY"]:
                self.send_response(401)
                self.end_headers()
                return
            if self.path == "/health":
                self.answer({"status": "healthy"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            if self.path.startswith("/api/tasks/"):   # a run the bot started: output, a cost, the end
                for name, event in (("bot_output", {"type": "bot_output", "output_type": "text", "content": "**ok**"}),
                                    ("track_cost", {"type": "track_cost", "total_cost": "0.5", "currency": "RUB"}),
                                    ("complete", {"type": "complete", "status": "completed"})):
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                return
            events = [{"type": "progress", "percent": 10}]
            events += [{"type": "track_cost", "track": "citus-run", "total_cost": cost, "currency": "RUB"}
                       for cost in ("0.40", "1.10", "0.25")]
            events.append({"type": "done"})
            for n, event in enumerate(events, start=1):
                self.wfile.write(f"id: {n}\ndata: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", runner_port), Runner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    users = list(range(FIRST_USER + 300, FIRST_USER + 320))
    seed_users(users, "run-user", lambda user: "100")
    for user in users:
        for instance in INSTANCES:     # registered at both: the same run, followed once
            status, text = http("POST", instance + "/api/v1/runs",
                                {"run_id": f"citus-run-{user}", "user_id": user, "stream_url": f"/runs/{user}/stream"},
                                {"Authorization": "Bearer " + RUNNER_KEY})
            check(status in (200, 202), f"run of {user}: {status} {text}")
    wait_for("20 runs done", lambda: sql(
        f"SELECT 1 FROM runner_runs WHERE user_id BETWEEN {users[0]} AND {users[-1]} "
        "HAVING count(*) FILTER (WHERE status = 'done') = 20"), 120)
    bot_runs()
    server.shutdown()
    rows = sql(f"SELECT count(*), count(DISTINCT user_id) FROM usage_charges WHERE track = 'citus-run' "
               f"AND user_id BETWEEN {users[0]} AND {users[-1]}")[0]
    check(rows == ["60", "20"], f"run charges: {rows}")
    balances = {b for (b,) in sql(f"SELECT token_balance FROM users WHERE id BETWEEN {users[0]} AND {users[-1]}")}
    spent = {Decimal(100) - Decimal(b) for b in balances}
    check(len(spent) == 1, f"every run should cost the same: {spent}")
    print(f"runner streams: 20 runs registered at both instances, followed once, 60 charges run:<id>:1..3, "
          f"{spent.pop()} tokens each", flush=True)


# ---------------------------------------------------------------------------------------------
def scale_out(new_worker):
    """A worker added and the shards rebalanced onto it while charges flow through both instances.

    Eight request-mode senders charge 100 users (each sender repeats every tenth of its own events)
    until the rebalance has finished and 5 more seconds have passed. An `unavailable` answer is
    retried with the same event id, as a Runner client would. Afterwards every event must have been
    charged once, every balance must match the answers, and some users must live on the new worker.
    """
    host, port = new_worker.split(":")
    users = list(range(FIRST_USER + 3000, FIRST_USER + 3100))
    seed_users(users, "scale-user", lambda user: "100000")
    stop = threading.Event()
    lock = threading.Lock()
    answers = defaultdict(list)      # event id → [(status, body)]
    events = {}                      # event id → event
    per_second = Counter()           # second since start → answers
    retried = Counter()
    started = time.time()

    def sender(k):
        local = random.Random(k)
        n = 0
        while not stop.is_set():
            n += 1
            if n % 10 == 0:
                event = events[f"scale-{k}-{local.randint(1, n - 1 - (n - 1) // 10)}"]
            else:
                seq = n - n // 10
                event = {"user_id": local.choice(users), "event_id": f"scale-{k}-{seq}", "track": "citus-scale",
                         "total_cost": str(Decimal(local.randint(1, 500)) / 100), "currency": "RUB"}
                with lock:
                    events[event["event_id"]] = event
            while True:
                status, text = http("POST", INSTANCES[k % 2] + "/api/v1/track-costs", event,
                                    {"Authorization": "Bearer " + RUNNER_KEY})
                body = json.loads(text)
                if status == 503 and body.get("status") == "unavailable":
                    with lock:
                        retried[event["event_id"]] += 1
                    time.sleep(0.05)
                    continue
                break
            with lock:
                answers[event["event_id"]].append((status, body))
                per_second[int(time.time() - started)] += 1

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(8)]
    [t.start() for t in threads]
    time.sleep(5)
    before = dict(Counter(port for _, port in sql(
        "SELECT shardid, nodeport FROM citus_shards WHERE table_name = 'users'::regclass")))
    added_at = time.time() - started
    sql(f"SELECT citus_add_node('{host}', {port})")
    sql("SELECT citus_rebalance_start()")
    while True:
        state = sql("SELECT state, details->'tasks' FROM citus_rebalance_status() ORDER BY job_id DESC LIMIT 1")
        if state and state[0][0] in ("finished", "failed", "cancelled"):
            break
        time.sleep(0.5)
    finished_at = time.time() - started
    check(state[0][0] == "finished", f"rebalance ended {state}")
    time.sleep(5)
    stop.set()
    [t.join() for t in threads]
    ended_at = time.time() - started
    after = dict(Counter(port for _, port in sql(
        "SELECT shardid, nodeport FROM citus_shards WHERE table_name = 'users'::regclass")))
    check(int(port) in {int(p) for p in after}, f"no shard moved to the new worker: {after}")

    statuses, spent, lost_answers = charged_once(list(events.values()), answers, retried)
    balances_match(users, 100000, spent, len(events))
    moved_users = shard_nodes(users)
    on_new = [u for u, p in moved_users.items() if p == int(port)]
    check(on_new, "none of the charged users lives on the new worker")

    def rate(lo, hi):
        seconds = range(int(lo) + 1, int(hi))
        return sum(per_second[s] for s in seconds) / max(1, len(seconds))

    print(f"scale-out: worker {new_worker} added at {added_at:.1f} s, rebalance finished at {finished_at:.1f} s "
          f"({finished_at - added_at:.1f} s); users' shards per worker port {before} → {after}; "
          f"{len(events):,} events charged once ({dict(statuses)}), {sum(retried.values())} unavailable answers "
          f"retried for {len(retried)} events ({lost_answers} of them had committed); {len(on_new)} of the 100 users now on the new worker; "
          f"answers/s before {rate(0, added_at):.0f}, during {rate(added_at, finished_at):.0f}, "
          f"after {rate(finished_at, ended_at):.0f}", flush=True)


def metric(name):
    """A counter summed over both instances' /metrics, by its label set."""
    totals = Counter()
    for instance in INSTANCES:
        status, text = http("GET", instance + "/metrics")
        for line in text.splitlines() if status == 200 else []:
            if line.startswith(name + "{") or line.startswith(name + " "):
                labels, value = line.rsplit(" ", 1)
                totals[labels[len(name):] or "{}"] += float(value)
    return dict(totals)


def shard_moves(moves):
    """One shard group moved back and forth between two workers `moves` times while 16 senders charge
    four users who all live on it, through both instances: the moment a move finishes is when two
    batches of one user can meet (the end of a move). Every event must be charged once and every
    balance must match; the batches that failed meanwhile (and were retried) are counted from the
    instances' kopeck_charge_batch_failures_total, by reason.
    """
    candidates = list(range(FIRST_USER + 4000, FIRST_USER + 4400))
    by_shard = defaultdict(list)
    for user, shard in sql("SELECT u, get_shard_id_for_distribution_column('users', u) FROM unnest(ARRAY["
                           + ",".join(map(str, candidates)) + "]::bigint[]) u"):
        by_shard[int(shard)].append(int(user))
    shard, users = max(by_shard.items(), key=lambda item: len(item[1]))
    users = users[:4]
    seed_users(users, "move-user", lambda user: "1000000")
    workers = [(h, int(p)) for h, p in sql("SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' "
                                           "AND groupid <> 0 ORDER BY nodeport")]
    check(len(workers) >= 2, "two workers are needed to move shards")
    failures_before = metric("kopeck_charge_batch_failures_total")
    stop = threading.Event()
    lock = threading.Lock()
    answers = defaultdict(list)
    events = {}
    retried = Counter()

    def sender(k):
        local = random.Random(100 + k)
        n = 0
        while not stop.is_set():
            n += 1
            event = {"user_id": local.choice(users), "event_id": f"move-{k}-{n}", "track": "citus-move",
                     "total_cost": str(Decimal(local.randint(1, 500)) / 100), "currency": "RUB"}
            with lock:
                events[event["event_id"]] = event
            while True:
                status, text = http("POST", INSTANCES[k % 2] + "/api/v1/track-costs", event,
                                    {"Authorization": "Bearer " + RUNNER_KEY})
                body = json.loads(text)
                if status == 503 and body.get("status") == "unavailable":
                    with lock:
                        retried[event["event_id"]] += 1
                    time.sleep(0.05)
                    continue
                break
            with lock:
                answers[event["event_id"]].append((status, body))

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(16)]
    [t.start() for t in threads]
    started = time.time()
    time.sleep(2)
    for i in range(moves):
        source = sql(f"SELECT nodename, nodeport FROM citus_shards WHERE shardid = {shard}")[0]
        target = next(w for w in workers if w[1] != int(source[1]))
        sql(f"SELECT citus_move_shard_placement({shard}, '{source[0]}', {source[1]}, '{target[0]}', {target[1]}, "
            "shard_transfer_mode := 'force_logical')")
        sql("CALL citus_cleanup_orphaned_resources()")
        time.sleep(1)
    stop.set()
    [t.join() for t in threads]
    elapsed = time.time() - started
    statuses, spent, lost_answers = charged_once(list(events.values()), answers, retried)
    balances_match(users, 1000000, spent, len(events))
    failures = {labels: count - failures_before.get(labels, 0)
                for labels, count in metric("kopeck_charge_batch_failures_total").items()
                if count - failures_before.get(labels, 0) > 0}
    print(f"shard moves: shard {shard} moved {moves} times in {elapsed:.0f} s while 16 senders charged its "
          f"{len(users)} users: {len(events):,} events charged once ({dict(statuses)}), "
          f"{sum(retried.values())} unavailable answers retried; batches failed and retried meanwhile: "
          f"{failures or 'none'}", flush=True)


if __name__ == "__main__":
    if os.environ.get("FLOWS") == "scale-out":
        scale_out(os.environ["NEW_WORKER"])
        sys.exit(0)
    if os.environ.get("FLOWS") == "shard-moves":
        shard_moves(int(os.environ.get("MOVES", "10")))
        sys.exit(0)
    receiver = ThreadingHTTPServer(("127.0.0.1", int(os.environ["WEBHOOK_PORT"])), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    paid = purchases()
    integrations()
    promo_codes_and_trials()
    charges()
    subscriptions()
    stars()
    runner_streams()
    holds()
    refund(paid)
    print("flows: ok", flush=True)
