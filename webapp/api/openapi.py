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
        (
            "q",
            "Search in answers, notes and replies, or a ticket number, or a customer id "
            "(exact match).",
        ),
        ("status", "`open`: not resolved and not closed (what the dashboard counts as open)."),
        (
            "customer",
            "A ticket number, e.g. LD-1001: that ticket and its customer's other requests (the "
            "same e-mail address in any case, or the same verified customer id).",
        ),
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

_READ_ERRORS = {"404": _error("No such ticket."), **_ERRORS}


def _body(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": required, "properties": properties}
            }
        },
    }


def _reply_body(properties: dict[str, Any]) -> dict[str, Any]:
    """A reply as JSON (files in base64), or as multipart/form-data (files as file parts)."""
    body = _body(["text"], properties)
    body["content"]["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "required": ["text"],
            "properties": {
                "text": properties["text"],
                "files": {
                    "type": "array",
                    "maxItems": 5,
                    "description": (
                        "Optional files, one file part each, named `files` (or `files[]`), "
                        "the part's filename the file's name: images or PDF, up to 5 MB each, "
                        "checked by content, as in JSON."
                    ),
                    "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                },
                "nonce": properties["nonce"],
                "version": {
                    "type": "string",
                    "pattern": "^[0-9]+$",
                    "description": _VERSION["description"],
                },
            },
        },
    }
    return body


_TRANSITION_ERRORS = _WRITE_ERRORS | {
    "400": _error(
        "Bad input: `bad_json`, `bad_transition`, `bad_version`, or `unknown_transition` "
        "(the ticket's workflow has no such transition)."
    ),
    "409": _error(
        "Refused, with the reason in words: `transition_not_available` (not from the "
        "ticket's current state), `transition_not_allowed` (only other roles may make it), "
        "`transition_guard_failed` (e.g. “Reply to the customer first.”), `ticket_merged`, "
        "`ticket_spam`; or `conflict` (the ticket changed meanwhile, or `version` is stale)."
    ),
}
_REPLY_ERRORS = _WRITE_ERRORS | {
    "400": _error(
        "Bad input: `bad_json`, `empty_reply`, `reply_too_long`, `bad_nonce`, `bad_version`, "
        "`bad_files` (not a list of at most 5 {name, content_base64}, or not base64; in "
        "multipart, more than 5 file parts, or a part not named `files`), `empty_file`."
    ),
    "413": _error("`file_too_large`: a file is over 5 MB; `too_large`: the whole body is."),
    "415": _error("`file_type`: only images (PNG, JPEG, GIF, WebP) and PDF files."),
    "409": _error(
        "Refused: `ticket_merged`, `ticket_spam`, `customer_erased` (the customer's data was "
        "erased on request), `duplicate_reply` (this nonce was already sent); or `conflict`."
    ),
}
_ASSIGNEE_ERRORS = _WRITE_ERRORS | {
    "400": _error(
        "Bad input: `bad_json`, `bad_assignee` (not a string or null), `unknown_agent` (no "
        "active agent or admin has this e-mail address), `bad_version`."
    ),
}
_TICKET_CHANGE = {
    "type": "object",
    "properties": {"ticket": _ref("Ticket")},
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
            "Read tickets, form responses and agents; add notes and labels, move tickets "
            "through their workflow, reply to customers and assign tickets from an "
            "integration. "
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
        "/tickets/{number}/files/{file_id}": {
            "get": {
                "summary": "A file the customer sent with a reply (listed in a conversation entry)",
                "parameters": [
                    _NUMBER,
                    {
                        "name": "file_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The file: an image (PNG, JPEG, GIF, WebP) or a PDF.",
                        "content": {"application/octet-stream": {}},
                    },
                    "404": _error("No such ticket, or no such file on it."),
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
        "/tickets/{number}/transitions": {
            "post": {
                "summary": "Move the ticket through its workflow (read_write tokens)",
                "description": (
                    "As an agent would from the workspace: the same roles, guards, actions, "
                    "customer e-mails, SLA clocks, watchers and webhooks. The token acts with "
                    "the roles `agent` and `admin` (never `customer`, `system` or "
                    "`assignee`). `GET /tickets/{number}` lists the transitions available now."
                ),
                "parameters": [_NUMBER],
                "requestBody": _body(
                    ["transition"],
                    {
                        "transition": {
                            "type": "string",
                            "description": "A transition's id, e.g. `resolve`.",
                            "examples": ["start", "resolve"],
                        },
                        "version": _VERSION,
                    },
                ),
                "responses": {
                    "200": {
                        "description": "Moved; the ticket as it is now.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "from_state": {"type": "string"},
                                        "to_state": {"type": "string"},
                                        "ticket": _ref("Ticket"),
                                    },
                                }
                            }
                        },
                    },
                    **_TRANSITION_ERRORS,
                },
            }
        },
        "/tickets/{number}/replies": {
            "post": {
                "summary": "Reply to the customer (read_write tokens)",
                "description": (
                    "A public reply, as the workspace sends it: an e-mail in the customer's "
                    "language (signed with the token's name) when they left an address, "
                    "their status page, the first-response clock stopped, watchers and the "
                    "`reply.sent` webhook. Placeholders {name}, {ticket}, {status_link} and "
                    "{agent} (the token's name) are filled in. Send JSON (files in base64) "
                    "or multipart/form-data (files as file parts, no base64); the same limits "
                    "and errors apply to both."
                ),
                "parameters": [_NUMBER],
                "requestBody": _reply_body(
                    {
                        "text": {"type": "string", "maxLength": 10000},
                        "files": {
                            "type": "array",
                            "maxItems": 5,
                            "description": (
                                "Optional files for the customer (images or PDF, up to 5 MB "
                                "each, checked by content): attached to the e-mail and "
                                "downloadable from their status page."
                            ),
                            "items": {
                                "type": "object",
                                "required": ["name", "content_base64"],
                                "properties": {
                                    "name": {"type": "string", "maxLength": 255},
                                    "content_base64": {"type": "string", "format": "byte"},
                                },
                            },
                        },
                        "nonce": {
                            "type": "string",
                            "pattern": "^[0-9a-f]{32}$",
                            "description": (
                                "Optional: the same nonce sent twice sends one reply "
                                "(the second answer is a 409 `duplicate_reply`)."
                            ),
                        },
                        "version": _VERSION,
                    }
                ),
                "responses": {
                    "201": {
                        "description": "The reply as recorded; `emailed` is false when the "
                        "customer left no address (status page only).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "allOf": [
                                        _ref("Entry"),
                                        {
                                            "type": "object",
                                            "properties": {"emailed": {"type": "boolean"}},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    **_REPLY_ERRORS,
                },
            }
        },
        "/tickets/{number}/assignee": {
            "put": {
                "summary": "Assign the ticket to an agent, or to nobody (read_write tokens)",
                "description": (
                    "Through the workspace's assignment: the history, the new assignee's "
                    "notice, the workflow's `assign` move from `new`, the `ticket.assigned` "
                    "webhook. An agent limited to their teams' tickets may then open it."
                ),
                "parameters": [_NUMBER],
                "requestBody": _body(
                    ["assignee"],
                    {
                        "assignee": {
                            "type": ["string", "null"],
                            "format": "email",
                            "description": "An active agent's e-mail (see /agents); null: nobody.",
                        },
                        "version": _VERSION,
                    },
                ),
                "responses": {
                    "200": {
                        "description": "`changed` is false when it already had this assignee.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "allOf": [
                                        _TICKET_CHANGE,
                                        {
                                            "type": "object",
                                            "properties": {"changed": {"type": "boolean"}},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    **_ASSIGNEE_ERRORS,
                },
            }
        },
        "/agents": {
            "get": {
                "summary": "Active agents and admins, newest first",
                "description": (
                    "What the workspace's pickers show colleagues: teams, languages and, "
                    "while an agent is away now, their last day away and their note."
                ),
                "parameters": _PAGING,
                "responses": {
                    "200": {
                        "description": "A page of agents.",
                        "content": {"application/json": {"schema": _ref("AgentPage")}},
                    },
                    **_ERRORS,
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
                    "assignee_email": {"type": ["string", "null"], "format": "email"},
                    "customer_name": {"type": "string"},
                    "customer_email": {"type": ["string", "null"]},
                    "customer_locale": {"type": "string"},
                    "customer_id": {
                        "type": ["string", "null"],
                        "description": "The customer's id in your app, from the `customer_id` "
                        "hidden field of the form link that opened the ticket (null: none, or "
                        "erased). Also found by the `q` filter (exact match).",
                    },
                    "customer_id_verified": {
                        "type": "boolean",
                        "description": "The form signs `customer_id` and its signature was "
                        "checked. Only a verified id says who the customer is: an unsigned one "
                        "could have been typed into the link by anyone.",
                    },
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
                            "paused": {
                                "type": "boolean",
                                "description": "The clocks wait to resume (e.g. waiting on "
                                "the customer).",
                            },
                            "stopped": {
                                "type": "boolean",
                                "description": "Closed unresolved (spam, merged): no clock "
                                "runs or waits, nothing is owed.",
                            },
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
                    "files": {
                        "type": "array",
                        "description": "Files the customer sent with this reply (when any).",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "name": {"type": "string"},
                                "size_bytes": {"type": "integer"},
                                "content_type": {"type": "string"},
                                "url": {"type": "string", "format": "uri"},
                            },
                        },
                    },
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
                            "transitions": {
                                "type": "array",
                                "items": _ref("Transition"),
                                "description": (
                                    "The moves a read_write token may make now (none for a "
                                    "merged or spam ticket)."
                                ),
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
            "Transition": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": "What to POST as `transition`."},
                    "label": {"type": "string"},
                    "to_state": {"type": "string"},
                    "to_state_label": {"type": "string"},
                },
            },
            "Agent": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                    "role": {"type": "string", "enum": ["agent", "admin"]},
                    "teams": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "slug": {"type": "string"},
                                "name": {"type": "string"},
                                "lead": {"type": "boolean"},
                            },
                        },
                    },
                    "languages": {"type": "array", "items": {"type": "string"}},
                    "timezone": {"type": "string"},
                    "away": {
                        "type": ["object", "null"],
                        "description": "Set while the agent is away now; else null.",
                        "properties": {
                            "last_day": {"type": "string", "format": "date"},
                            "back_at": _TIME,
                            "note": {"type": "string"},
                        },
                    },
                },
            },
            "AgentPage": {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": _ref("Agent")},
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
                    "spam": {
                        "type": "boolean",
                        "description": "Its ticket was marked as spam, or a blocked sender "
                        "sent it: Loopdesk leaves it out of scores, counts and themes.",
                    },
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
