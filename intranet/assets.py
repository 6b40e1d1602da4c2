"""The vendored static files the layout loads, with their integrity hashes."""

VENDOR = {
    "htmx": {
        "path": "vendor/htmx-2.0.11/htmx.min.js",
        "integrity": "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
    },
    "pico": {
        "path": "vendor/pico-2.1.1/pico.min.css",
        "integrity": "sha384-L1dWfspMTHU/ApYnFiMz2QID/PlP1xCW9visvBdbEkOLkSSWsP6ZJWhPw6apiXxU",
    },
}

# htmx set up for a strict CSP and for personal data: nothing evaluated, no
# scripts from responses, no injected styles, nothing of a page kept in the
# browser's storage, 422 form errors swapped in place, and error responses
# swapped too: the server retargets them to the message area.
HTMX_CONFIG = {
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "selfRequestsOnly": True,
    # Settling copies these attributes from the old element to the new one and back; a
    # "style" among them is an inline style, which the Content-Security-Policy refuses.
    "attributesToSettle": ["class", "width", "height"],
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": True, "error": True},
    ],
}
