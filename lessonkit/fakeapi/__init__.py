"""The fake Messages API: a pure ``request -> response`` core, no I/O.

:class:`~.app.FakeAPI` (``api`` in the lessons) is the whole contract:
``api.handle(ApiRequest) -> ApiResponse``. The respx adapter
(:mod:`lessonkit._transport`) and the HTTP server (:mod:`lessonkit.server`) only
translate to and from it. A request's path through the core, module by module:

Arriving and routed
    ``http``        ApiRequest / ApiResponse, the only currency of the core
    ``gcpause``     the cycle collector paused while a body is parsed or a batch is made
    ``app``         FakeAPI: state, scripting (``reply``, ``fail_next``…) and ``handle``
    ``routes``      the endpoint table: method + path -> ``handler(exchange)``
    ``records``     RecordedRequest: what ``api.requests`` remembers of each request
    ``calls``       which attempts belong to one SDK call (``call_1``…)

Validated (the real 400 / 404 / 413)
    ``validate``    request checks, in the API's wording
    ``schema``      what a valid request may hold, read from the SDK's types
    ``facts``       each model's row of ``model_facts.json``
    ``rules``       the checks that depend on the model's row
    ``versions``    ``anthropic-version`` and ``anthropic-beta``, and the fields a beta unlocks

Answered
    ``messages``    ``POST /v1/messages`` and ``/count_tokens``
    ``generation``  the deterministic "model": what is said, and why it stops
    ``shape``       what a turn depends on besides its prompt, decided once per request shape
    ``contracts``   answers that keep to what a request set up: prefill, bare SQL, tools
    ``thinking``    when a request thinks, how much, and what its thinking block shows
    ``replies``     replies scripted with ``api.reply(...)``
    ``server_tools`` tools the API runs itself (web search, code execution)
    ``caching``     ``cache_control`` checks and the prompt cache's counters
    ``tokens``      deterministic token counts
    ``render``      a generation as the API's Message JSON
    ``sse``         a generation as the API's event stream
    ``jsonbytes``   compact JSON bytes, the json module's exactly, mostly at Rust speed
    ``models_api``  ``GET /v1/models``
    ``capabilities`` each model's ``capabilities`` tree in ``/v1/models``
    ``batches``     ``/v1/messages/batches``: store, checks, virtual-clock progress, JSONL
    ``ids``         deterministic ids (``msg_011C…``, ``req_011C…``)

Faulted
    ``faults``      planned failures (``fail_next``, ``timeout_next``, broken streams)
    ``scenarios``   named fault sequences (``api.scenario("overloaded_then_ok")``)
    ``errors``      error bodies, types and wording per status
    ``ratelimit``   ``anthropic-ratelimit-*`` headers

Timed
    ``clock``       the virtual clock every wait and batch moves on
    ``retries``     the SDK's retry rules, in one function (retried? how long?)
    ``waits``       each virtual wait, stamped with the attempt it follows and why
"""
