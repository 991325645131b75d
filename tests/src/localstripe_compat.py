# Starts localstripe (`python -m localstripe` does the same, without these) with the parts of
# Stripe's API the payment gateway contract relies on and localstripe 1.15 lacks. Each one is
# Stripe's documented behaviour, not a shortcut for our tests:
#
# - Idempotency-Key (ignored by localstripe): a POST with a key seen before replays the first
#   answer; one with a key whose first request is still running gets 409
#   `idempotency_key_in_use`; the same key with other parameters gets 400 `idempotency_error`.
# - `description` on a PaymentIntent (localstripe answers 400 "Unexpected description").
# - `stripe.createPaymentMethod` in the served Stripe.js (localstripe's does nothing and
#   returns undefined), with `POST /v1/payment_methods` accepting the publishable key, as
#   Stripe does for Stripe.js.
# - its store is not pickled to /tmp/localstripe.pickle after every write: parallel tests each
#   run their own server, which must not share, or wait on, one file.
#
# Arguments are localstripe's own (`--port`, `--from-scratch`).

import asyncio
import hashlib
import os.path

from aiohttp import web

from localstripe import resources, server
from localstripe.errors import UserError

resources.Store.dump_to_disk = lambda self: None

_payment_intent_init = resources.PaymentIntent.__init__


def _payment_intent_with_description(self, description=None, **kwargs):
    if description is not None and type(description) is not str:
        raise UserError(400, 'Bad request')
    _payment_intent_init(self, **kwargs)
    self.description = description


resources.PaymentIntent.__init__ = _payment_intent_with_description

_answers = {}  # (api key, idempotency key) -> (request digest, status, body)
_running = set()


@web.middleware
async def idempotency(request, handler):
    key = request.headers.get('Idempotency-Key')
    if request.method != 'POST' or not key:
        return await handler(request)
    slot = (request.headers.get('Authorization', ''), key)
    digest = hashlib.sha256((request.path + '?' + (await request.text())).encode()).hexdigest()
    if slot in _answers:
        first, status, body = _answers[slot]
        if first != digest:
            return server.json_response({'error': {
                'type': 'idempotency_error',
                'message': 'Keys for idempotent requests can only be used with the same parameters they were first used with.'}}, status=400)
        return web.Response(status=status, body=body, content_type='application/json', headers={'Idempotent-Replayed': 'true'})
    if slot in _running:
        return server.json_response({'error': {
            'type': 'invalid_request_error', 'code': 'idempotency_key_in_use',
            'message': 'There is currently another in-progress request using this Idempotent Key.'}}, status=409)
    _running.add(slot)
    try:
        # A moment inside the key, as a real request spends talking to the card network, so
        # concurrent requests with one key do meet here.
        await asyncio.sleep(0.05)
        try:
            response = await handler(request)
        except UserError as e:
            response = e.to_response()
        # Stripe keeps the result of a request that ran, failed or not, but not a 5xx.
        if response.status < 500:
            _answers[slot] = (digest, response.status, response.body)
        return response
    finally:
        _running.discard(slot)


server.app.middlewares.append(idempotency)

_NO_PAYMENT_METHOD = 'createPaymentMethod: async () => {},'
_CREATE_PAYMENT_METHOD = '''createPaymentMethod: async (data) => {
      console.log('localstripe: Stripe().createPaymentMethod()');
      try {
        const body = new URLSearchParams();
        body.append('key', apiKey);
        body.append('type', data.type || 'card');
        const card = (data.card && data.card.value && data.card.value.card) || {};
        for (const field of ['number', 'exp_month', 'exp_year', 'cvc']) {
          body.append(`card[${field}]`, card[field] || '');
        }
        for (const [k, v] of Object.entries(data.billing_details || {})) {
          if (typeof v === 'string') body.append(`billing_details[${k}]`, v);
        }
        const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods`, {
          method: 'POST',
          headers: {'Content-Type': 'application/x-www-form-urlencoded'},
          body,
        });
        const res = await response.json().catch(() => ({}));
        if (response.status !== 200 || res.error) {
          return {error: res.error || {message: `localstripe: HTTP ${response.status}`}};
        }
        return {paymentMethod: res};
      } catch (err) {
        return {error: {message: String(err)}};
      }
    },'''

with open(os.path.join(os.path.dirname(server.__file__), 'localstripe-v3.js')) as f:
    _js = f.read()
if _NO_PAYMENT_METHOD not in _js:
    raise SystemExit('localstripe_compat: this localstripe-v3.js differs from 1.15\'s; check createPaymentMethod')
_js = _js.replace(_NO_PAYMENT_METHOD, _CREATE_PAYMENT_METHOD)


@web.middleware
async def stripe_js(request, handler):
    if request.method == 'GET' and request.path == '/js.stripe.com/v3/':
        return web.Response(text=_js, content_type='application/javascript')
    return await handler(request)


@web.middleware
async def publishable_key_for_payment_methods(request, handler):
    if (request.method == 'POST' and request.path == '/v1/payment_methods' and
            'Authorization' not in request.headers):
        data = await server.get_post_data(request, remove_auth=False)
        if data and type(data.get('key')) is str and data['key'].startswith('pk_'):
            return await handler(request)
    return await server.auth_middleware(request, handler)


server.app.middlewares[server.app.middlewares.index(server.auth_middleware)] = publishable_key_for_payment_methods
server.app.middlewares.append(stripe_js)

server.start()
