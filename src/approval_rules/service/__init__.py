"""The decision service: an ASGI app (Starlette on uvicorn) in front of the engine, its decision log, rule bundles, tokens and the review page.

Needs the optional extra ``service`` (``pip install 'approval-rules[service]'``); nothing below this
layer imports a web library, and ``approval_rules`` itself never imports this package.

May import: core, model, lang, ruleset, engine, authoring, batch (and the libraries of the
``service`` extra). Only ``cli`` imports it.
"""
