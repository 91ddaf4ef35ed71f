"""The API's OpenAPI 3.1 description, written by hand beside the views it describes."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


_TIME = {"type": ["string", "null"], "format": "date-time"}
_CLOCK = {
    "type": "object",
    "properties": {"due_at": _TIME, "met_at": _TIME, "breached_at": _TIME},
}
_ERRORS = {
    "400": _error("Bad input (a filter, limit, before or body value); see error.code."),
    "401": _error("No token, or an unknown or revoked one (WWW-Authenticate: Bearer)."),
    "429": _error("Too many requests with this token (Retry-After says when to retry)."),
}
_WRITE_ERRORS = _ERRORS | {
    "403": _error("The token is read-only."),
    "404": _error("No such ticket."),
    "409": _error("The ticket changed meanwhile (or `version` is not its version)."),
}
_PAGING = [
    {
        "name": "before",
        "in": "query",
        "description": "Page on: the id from the previous page's `next` link.",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Items per page (default 50).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]
_BOARD_FILTERS = [
    {"name": name, "in": "query", "description": text, "schema": {"type": "string"}}
    for name, text in (
        ("team", "A team's routing name (slug)."),
        ("assignee", "An agent's id, or `none` for unassigned tickets."),
        ("priority", "low, normal, high or urgent."),
        ("label", "A label (any case)."),
        ("language", "The customer's language code, e.g. pl."),
        ("form", "The slug of the form that raised the ticket."),
        ("sla", "ok, warned or breached."),
        ("from", "Created on or after this day (YYYY-MM-DD, UTC)."),
        ("to", "Created on or before this day (YYYY-MM-DD, UTC)."),
        ("q", "Search in answers, notes and replies, or a ticket number."),
    )
]
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "The ticket number, e.g. LD-1001.",
    "schema": {"type": "string"},
}
_VERSION = {
    "type": "integer",
    "description": "Optional: the ticket's version from your last read; another → 409.",
}

_LABELS_RESPONSE = {
    "description": "Added (201) or already there (200).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "added": {"type": "boolean"},
                    "labels": {"type": "array", "items": {"type": "string"}},
                },
            }
        }
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Loopdesk API",
        "version": "1",
        "description": (
            "Read and write tickets and read form responses from an integration. "
            "Authenticate with an API token an admin created (Admin → API tokens): "
            "`Authorization: Bearer ldk_…`. Cookies are not accepted. Errors are "
            '`{"error": {"code": "...", "message": "..."}}` with a stable code. '
            "Lists are newest first and paged by keyset: follow `next` until it is null. "
            "Internal notes are shown only to read_write tokens: read tokens go to "
            "reporting tools that need the customer's side, not staff talk. "
            "What a token writes is recorded as `API: <token name>` in the ticket history "
            "and fires the same watchers, automations and webhooks as the workspace."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/tickets": {
            "get": {
                "summary": "List tickets under the board's filters",
                "parameters": _BOARD_FILTERS + _PAGING,
                "responses": {
                    "200": {
                        "description": "A page of tickets.",
                        "content": {"application/json": {"schema": _ref("TicketPage")}},
                    },
                    **_ERRORS,
                },
            }
        },
        "/tickets/{number}": {
            "get": {
                "summary": "One ticket with its conversation (and notes for read_write tokens)",
                "parameters": [_NUMBER],
                "responses": {
                    "200": {
                        "description": "The ticket.",
                        "content": {"application/json": {"schema": _ref("TicketDetail")}},
                    },
                    "404": _error("No such ticket."),
                    **_ERRORS,
                },
            }
        },
        "/tickets/{number}/notes": {
            "post": {
                "summary": "Add an internal note (read_write tokens)",
                "parameters": [_NUMBER],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {
                                    "text": {"type": "string", "maxLength": 10000},
                                    "version": _VERSION,
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The note as recorded.",
                        "content": {"application/json": {"schema": _ref("Entry")}},
                    },
                    **_WRITE_ERRORS,
                },
            }
        },
        "/tickets/{number}/labels": {
            "post": {
                "summary": "Add a label (read_write tokens)",
                "parameters": [_NUMBER],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["label"],
                                "properties": {
                                    "label": {"type": "string", "maxLength": 64},
                                    "version": _VERSION,
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _LABELS_RESPONSE,
                    "200": _LABELS_RESPONSE,
                    **_WRITE_ERRORS,
                },
            }
        },
        "/forms/{slug}/responses": {
            "get": {
                "summary": "A form's responses, newest first",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["completed", "unfinished"]},
                    },
                    *_PAGING,
                ],
                "responses": {
                    "200": {
                        "description": "A page of responses.",
                        "content": {"application/json": {"schema": _ref("ResponsePage")}},
                    },
                    "404": _error("No such form."),
                    **_ERRORS,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document."}},
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    }
                },
            },
            "Ticket": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string", "examples": ["LD-1001"]},
                    "subject": {"type": "string"},
                    "state": {"type": "string"},
                    "state_label": {"type": "string"},
                    "priority": {"type": "string"},
                    "team": {"type": ["string", "null"]},
                    "assignee": {"type": ["string", "null"]},
                    "customer_name": {"type": "string"},
                    "customer_email": {"type": ["string", "null"]},
                    "customer_locale": {"type": "string"},
                    "channel": {"type": "string"},
                    "form": {"type": ["string", "null"]},
                    "labels": {"type": "array", "items": {"type": "string"}},
                    "created_at": _TIME,
                    "updated_at": _TIME,
                    "version": {"type": "integer"},
                    "merged_into": {
                        "type": ["string", "null"],
                        "description": "The ticket a duplicate was merged into, or null.",
                    },
                    "spam": {
                        "type": "boolean",
                        "description": "An agent marked the ticket as spam (it is closed).",
                    },
                    "sla": {
                        "type": "object",
                        "properties": {
                            "policy": {"type": ["string", "null"]},
                            "paused": {"type": "boolean"},
                            "first_response": _CLOCK,
                            "resolution": _CLOCK,
                        },
                    },
                    "url": {"type": "string", "format": "uri"},
                },
            },
            "Entry": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"type": "string", "enum": ["public_reply", "customer_reply", "note"]},
                    "author": {"type": "string"},
                    "author_kind": {
                        "type": "string",
                        "enum": ["user", "customer", "api", "system"],
                    },
                    "text": {"type": "string"},
                    "created_at": _TIME,
                },
            },
            "TicketDetail": {
                "allOf": [
                    _ref("Ticket"),
                    {
                        "type": "object",
                        "properties": {
                            "answers": {"type": "object"},
                            "score": {"type": "object"},
                            "conversation": {"type": "array", "items": _ref("Entry")},
                            "notes": {
                                "type": "array",
                                "items": _ref("Entry"),
                                "description": "Only for read_write tokens.",
                            },
                        },
                    },
                ]
            },
            "TicketPage": {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": _ref("Ticket")},
                    "next": {"type": ["string", "null"], "format": "uri"},
                },
            },
            "FormResponse": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "form_version": {"type": "integer"},
                    "locale": {"type": "string"},
                    "channel": {"type": "string"},
                    "completed": {"type": "boolean"},
                    "started_at": _TIME,
                    "completed_at": _TIME,
                    "answers": {"type": "object", "description": "As stored, by question id."},
                    "score": {"type": ["object", "null"]},
                    "ticket": {"type": ["string", "null"]},
                },
            },
            "ResponsePage": {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": _ref("FormResponse")},
                    "next": {"type": ["string", "null"], "format": "uri"},
                },
            },
        },
    },
}
