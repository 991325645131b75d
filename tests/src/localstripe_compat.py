# Starts localstripe (`python -m localstripe` does the same, without these) with the parts of
# Stripe's API the payment gateway contract relies on and localstripe 1.15 lacks. Each one is
# Stripe's documented behaviour, not a shortcut for our tests:
#
# - Idempotency-Key (ignored by localstripe): a POST with a key seen before replays the first
#   answer; one with a key whose first request is still running gets 409
#   `idempotency_key_in_use`; the same key with other parameters gets 400 `idempotency_error`.
# - `description` on a PaymentIntent (localstripe answers 400 "Unexpected description").
# - its store is not pickled to /tmp/localstripe.pickle after every write: parallel tests each
#   run their own server, which must not share, or wait on, one file.
#
# Arguments are localstripe's own (`--port`, `--from-scratch`).

import asyncio
import hashlib

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

server.start()
