// The admin API's OpenAPI 3.1 document (served at GET /v1/openapi.json).
// tests/admin/admin_server_test.cc validates real answers against its schemas
// (each $ref to components/schemas resolved) and checks that every path it
// lists is served: edit both together.
#include "admin/openapi_document.h"

namespace hyperion::admin {

const char* openapi_document() {
  return R"json({
 "openapi": "3.1.0",
 "info": {
  "title": "Hyperion admin API",
  "version": "1",
  "description": "The running host's admin API (docs/reload.md, docs/console.md). Every endpoint but POST /v1/session needs a bearer token (<state_dir>/admin.token, or a named one from host.admin.tokens_file) or a console session cookie; with the cookie, a request that changes state also needs X-CSRF-Token. Roles: viewer reads, operator also reloads, rolls back and swaps, admin also manages tokens (403 below the role). The listener answers 400, 408, 411, 413, 414, 431 and 503 itself as RFC 9457 problems (application/problem+json)."
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   },
   "session": {
    "type": "apiKey",
    "in": "cookie",
    "name": "hyperion_session"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "reason"
      ],
      "properties": {
       "reason": {
        "type": "string"
       },
       "code": {
        "type": "string"
       },
       "plugin": {
        "type": "string"
       },
       "field": {
        "type": "string"
       }
      }
     }
    }
   },
   "ReloadResult": {
    "type": "object",
    "required": [
     "outcome",
     "revision",
     "diff"
    ],
    "properties": {
     "outcome": {
      "enum": [
       "applied",
       "unchanged",
       "refused",
       "rolled_back"
      ]
     },
     "revision": {
      "type": "integer",
      "minimum": 0,
      "description": "the revision this attempt was recorded as (0: not recorded)"
     },
     "diff": {
      "type": "object",
      "description": "instance -> {action, changes: [{path, op, dynamic, secret, old, new}]}, secrets redacted"
     },
     "error": {
      "type": "object",
      "required": [
       "code",
       "plugin",
       "field",
       "reason"
      ],
      "properties": {
       "code": {
        "enum": [
         "none",
         "invalid_configuration",
         "manifest_unreadable",
         "refused_by_plugin",
         "static_change_refused",
         "commit_failed",
         "breaker_open",
         "host_stopping",
         "proposer_stopping",
         "unknown_revision",
         "secrets_not_restorable",
         "swap_failed",
         "revision_moved"
        ]
       },
       "plugin": {
        "type": "string"
       },
       "field": {
        "type": "string"
       },
       "reason": {
        "type": "string"
       }
      }
     },
     "warnings": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "FieldChange": {
    "type": "object",
    "required": [
     "path",
     "op",
     "dynamic",
     "secret"
    ],
    "properties": {
     "path": {
      "type": "string"
     },
     "op": {
      "enum": [
       "add",
       "remove",
       "replace"
      ]
     },
     "dynamic": {
      "type": "boolean"
     },
     "secret": {
      "type": "boolean"
     },
     "old": {},
     "new": {}
    }
   }
  }
 },
 "security": [
  {
   "bearer": []
  },
  {
   "session": []
  }
 ],
 "paths": {
  "/v1/status": {
   "get": {
    "summary": "app, phase, revision, instances, breaker",
    "responses": {
     "200": {
      "description": "the running app",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "app",
          "phase",
          "revision",
          "instances",
          "edges",
          "breaker"
         ],
         "properties": {
          "app": {
           "type": "string"
          },
          "phase": {
           "enum": [
            "created",
            "starting",
            "running",
            "stopping",
            "stopped",
            "failed"
           ]
          },
          "revision": {
           "type": "integer",
           "minimum": 0
          },
          "instances": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "name",
             "state",
             "plugin",
             "version",
             "sha256",
             "library"
            ],
            "properties": {
             "name": {
              "type": "string"
             },
             "state": {
              "type": "string"
             },
             "plugin": {
              "type": "string"
             },
             "version": {
              "type": "string"
             },
             "sha256": {
              "type": "string"
             },
             "library": {
              "type": "string"
             },
             "last_swap": {
              "type": "string"
             }
            }
           }
          },
          "breaker": {
           "type": "object"
          },
          "edges": {
           "type": "array",
           "description": "the start order's graph: provider starts before dependent; reason says why (\"requires greeter 1.0\", \"after\")",
           "items": {
            "type": "object",
            "required": [
             "provider",
             "dependent",
             "reason",
             "optional"
            ],
            "properties": {
             "provider": {
              "type": "string"
             },
             "dependent": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             },
             "optional": {
              "type": "boolean"
             }
            }
           }
          }
         }
        }
       }
      },
      "headers": {
       "ETag": {
        "description": "the running revision, quoted (\"7\"): send it as If-Match",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/health": {
   "get": {
    "summary": "the health report: the aggregate and each instance's last check (the same as the health plugin's /readyz?verbose)",
    "responses": {
     "200": {
      "description": "the report",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status",
          "live",
          "ready",
          "phase",
          "instances"
         ],
         "properties": {
          "status": {
           "enum": [
            "healthy",
            "degraded",
            "unhealthy"
           ]
          },
          "live": {
           "type": "boolean"
          },
          "ready": {
           "type": "boolean"
          },
          "phase": {
           "type": "string"
          },
          "draining": {
           "type": "boolean"
          },
          "instances": {
           "type": "object",
           "additionalProperties": {
            "type": "object",
            "required": [
             "status",
             "message",
             "details",
             "duration_ms",
             "optional"
            ],
            "properties": {
             "status": {
              "enum": [
               "healthy",
               "degraded",
               "unhealthy"
              ]
             },
             "message": {
              "type": "string"
             },
             "details": {
              "type": "object"
             },
             "duration_ms": {
              "type": "number"
             },
             "optional": {
              "type": "boolean"
             },
             "cause": {
              "type": "string"
             }
            }
           }
          }
         }
        }
       }
      }
     }
    }
   }
  },
  "/v1/metrics": {
   "get": {
    "summary": "every metric (the host's and the plugins'), Prometheus text format 0.0.4",
    "responses": {
     "200": {
      "description": "the metrics",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/v1/plugins": {
   "get": {
    "summary": "instances with their plugins' metadata",
    "responses": {
     "200": {
      "description": "the instances",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "plugins"
         ],
         "properties": {
          "plugins": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "name",
             "state",
             "plugin",
             "version",
             "status",
             "abi_minor",
             "library",
             "provides",
             "requires",
             "capabilities"
            ],
            "properties": {
             "name": {
              "type": "string"
             },
             "state": {
              "type": "string"
             },
             "plugin": {
              "type": "string"
             },
             "version": {
              "type": "string"
             },
             "status": {
              "enum": [
               "stable",
               "beta",
               "alpha"
              ]
             },
             "abi_minor": {
              "type": "integer",
              "minimum": 0
             },
             "library": {
              "type": "string"
             },
             "provides": {
              "type": "array"
             },
             "requires": {
              "type": "array",
              "items": {
               "type": "object",
               "required": [
                "api",
                "optional"
               ],
               "properties": {
                "api": {
                 "type": "string"
                },
                "optional": {
                 "type": "boolean"
                }
               }
              }
             },
             "capabilities": {
              "type": "array",
              "items": {
               "type": "string"
              }
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/config": {
   "get": {
    "summary": "the manifest as written and each instance's effective config, secrets redacted",
    "responses": {
     "200": {
      "description": "the configuration",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "manifest",
          "revision",
          "instances",
          "sources",
          "layers",
          "libraries"
         ],
         "properties": {
          "manifest": {
           "type": "string",
           "description": "as written (${file:...} unresolved)"
          },
          "revision": {
           "type": "integer",
           "minimum": 0
          },
          "instances": {
           "type": "object",
           "description": "instance -> effective config, secrets redacted"
          },
          "sources": {
           "type": "object",
           "description": "which source set each field"
          },
          "layers": {
           "type": "array"
          },
          "libraries": {
           "type": "object"
          }
         }
        }
       }
      },
      "headers": {
       "ETag": {
        "description": "the running revision, quoted (\"7\"): send it as If-Match",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reload": {
   "post": {
    "summary": "apply a whole manifest (YAML body), or re-read the file (empty body)",
    "parameters": [
     {
      "name": "If-Match",
      "in": "header",
      "required": false,
      "description": "the revision the caller last saw (\"7\", 7, W/\"7\" or *): refused with 412 when another runs",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "applied or unchanged",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "403": {
      "description": "the caller's role is below operator (code forbidden), or a signed-in request came without its X-CSRF-Token (code csrf)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": false,
     "content": {
      "application/yaml": {
       "schema": {
        "type": "string"
       }
      }
     }
    }
   }
  },
  "/v1/revisions": {
   "get": {
    "summary": "the revision history, newest first",
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 999999
      }
     }
    ],
    "responses": {
     "200": {
      "description": "revisions",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "revisions"
         ],
         "properties": {
          "revisions": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "number",
             "created_at",
             "source",
             "author",
             "outcome"
            ],
            "properties": {
             "number": {
              "type": "integer",
              "minimum": 1
             },
             "created_at": {
              "type": "string"
             },
             "source": {
              "type": "string"
             },
             "author": {
              "type": "string"
             },
             "outcome": {
              "enum": [
               "applied",
               "refused",
               "rolled_back"
              ]
             },
             "error": {
              "type": "object"
             },
             "manifest": {
              "type": "string"
             },
             "diff": {
              "type": [
               "object",
               "null"
              ],
              "description": "what this revision changed, secrets redacted; null for the first revision of a run (startup)"
             },
             "secrets_withheld": {
              "type": "boolean"
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "description": "a bad limit",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/revisions/{n}": {
   "get": {
    "summary": "one revision with its manifest, diff and error",
    "parameters": [
     {
      "name": "n",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the revision",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "number",
          "created_at",
          "source",
          "author",
          "outcome",
          "manifest",
          "diff",
          "secrets_withheld"
         ],
         "properties": {
          "number": {
           "type": "integer",
           "minimum": 1
          },
          "created_at": {
           "type": "string"
          },
          "source": {
           "type": "string"
          },
          "author": {
           "type": "string"
          },
          "outcome": {
           "enum": [
            "applied",
            "refused",
            "rolled_back"
           ]
          },
          "error": {
           "type": "object"
          },
          "manifest": {
           "type": "string"
          },
          "diff": {
           "type": [
            "object",
            "null"
           ],
           "description": "what this revision changed, secrets redacted; null for the first revision of a run (startup)"
          },
          "secrets_withheld": {
           "type": "boolean"
          }
         }
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no such revision",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/revisions/{n}/rollback": {
   "post": {
    "summary": "apply revision n's manifest and proposals again, as a new revision",
    "parameters": [
     {
      "name": "If-Match",
      "in": "header",
      "required": false,
      "description": "the revision the caller last saw (\"7\", 7, W/\"7\" or *): refused with 412 when another runs",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "n",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "applied or unchanged",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "403": {
      "description": "the caller's role is below operator (code forbidden), or a signed-in request came without its X-CSRF-Token (code csrf)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/plugins/{instance}/swap": {
   "post": {
    "summary": "replace the instance's library make-before-break (docs/hot-swap.md)",
    "parameters": [
     {
      "name": "If-Match",
      "in": "header",
      "required": false,
      "description": "the revision the caller last saw (\"7\", 7, W/\"7\" or *): refused with 412 when another runs",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "instance",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "applied or unchanged",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReloadResult"
        }
       }
      }
     },
     "403": {
      "description": "the caller's role is below operator (code forbidden), or a signed-in request came without its X-CSRF-Token (code csrf)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "library"
        ],
        "properties": {
         "library": {
          "type": "string"
         },
         "sha256": {
          "type": "string",
          "pattern": "^[0-9a-f]{64}$"
         }
        }
       }
      }
     }
    }
   }
  },
  "/v1/events": {
   "get": {
    "summary": "live CloudEvents as Server-Sent Events (id, event = type, data = the CloudEvent)",
    "responses": {
     "200": {
      "description": "the stream",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "typed",
      "in": "query",
      "required": false,
      "description": "0: events without the \"event:\" field, so a browser's EventSource.onmessage receives every one",
      "schema": {
       "enum": [
        "0",
        "1"
       ]
      }
     }
    ]
   }
  },
  "/v1/openapi.json": {
   "get": {
    "summary": "this document",
    "responses": {
     "200": {
      "description": "OpenAPI 3.1",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "openapi",
          "paths"
         ]
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/revisions/{a}/diff/{b}": {
   "get": {
    "summary": "what differs between any two revisions: host settings and each instance's manifest entry, overrides and swapped library, field by field (secrets redacted)",
    "parameters": [
     {
      "name": "a",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     },
     {
      "name": "b",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,18}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "from a to b",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "from",
          "to",
          "host",
          "instances"
         ],
         "properties": {
          "from": {
           "type": "integer"
          },
          "to": {
           "type": "integer"
          },
          "host": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/FieldChange"
           },
           "description": "the app's name and host settings (paths under /app and /host)"
          },
          "instances": {
           "type": "object",
           "description": "changed instances only",
           "additionalProperties": {
            "type": "object",
            "required": [
             "action",
             "schema_known",
             "changes"
            ],
            "properties": {
             "action": {
              "enum": [
               "add",
               "remove",
               "change"
              ]
             },
             "schema_known": {
              "type": "boolean",
              "description": "false: the instance does not run now, so no schema says which fields are secret and every config value is redacted"
             },
             "changes": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/FieldChange"
              }
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "404": {
      "description": "no such revision",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "a revision's manifest cannot be read",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/session": {
   "post": {
    "summary": "sign in (the console): a token becomes an HttpOnly, SameSite=Strict session cookie (Secure over TLS) and a CSRF token for X-CSRF-Token",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "token"
        ],
        "properties": {
         "token": {
          "type": "string"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "signed in; Set-Cookie: hyperion_session=...",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "name",
          "role",
          "csrf",
          "expires_in_s"
         ],
         "properties": {
          "name": {
           "type": "string"
          },
          "role": {
           "enum": [
            "viewer",
            "operator",
            "admin"
           ]
          },
          "csrf": {
           "type": "string",
           "pattern": "^[0-9a-f]{64}$"
          },
          "expires_in_s": {
           "type": "integer"
          }
         }
        }
       }
      }
     },
     "400": {
      "description": "the body is not {\"token\": \"...\"}",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "wrong token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "get": {
    "summary": "who calls (never 401: {\"via\": \"none\"} when nobody is signed in); with a session cookie, its CSRF token again (for a reloaded page)",
    "responses": {
     "200": {
      "description": "the caller",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "via"
         ],
         "properties": {
          "name": {
           "type": "string"
          },
          "role": {
           "enum": [
            "viewer",
            "operator",
            "admin"
           ]
          },
          "via": {
           "enum": [
            "token",
            "session",
            "none"
           ]
          },
          "csrf": {
           "type": "string"
          }
         }
        }
       }
      }
     }
    },
    "security": []
   },
   "delete": {
    "summary": "sign out: the session ends and the cookie is cleared",
    "responses": {
     "200": {
      "description": "signed out",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "signed_out"
         ],
         "properties": {
          "signed_out": {
           "type": "boolean",
           "description": "false when the call came with a bearer token, not a session"
          }
         }
        }
       }
      }
     },
     "401": {
      "description": "no valid token or session",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "a signed-in request without its X-CSRF-Token (code csrf)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/tokens": {
   "get": {
    "summary": "the tokens that may call (admin role): the host's own, then host.admin.tokens_file's; never the tokens or their hashes",
    "responses": {
     "200": {
      "description": "tokens",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "tokens",
          "tokens_file"
         ],
         "properties": {
          "tokens": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "name",
             "role"
            ],
            "properties": {
             "name": {
              "type": "string"
             },
             "role": {
              "enum": [
               "viewer",
               "operator",
               "admin"
              ]
             }
            }
           }
          },
          "tokens_file": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "403": {
      "description": "the caller is not an admin",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "summary": "a new named token (admin role): its SHA-256 is added to the tokens file and the token is in this answer only",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "name",
         "role"
        ],
        "properties": {
         "name": {
          "type": "string",
          "pattern": "^[A-Za-z0-9._@-]{1,64}$"
         },
         "role": {
          "enum": [
           "viewer",
           "operator",
           "admin"
          ]
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "made",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "name",
          "role",
          "token"
         ],
         "properties": {
          "name": {
           "type": "string"
          },
          "role": {
           "enum": [
            "viewer",
            "operator",
            "admin"
           ]
          },
          "token": {
           "type": "string",
           "pattern": "^[0-9a-f]{64}$"
          }
         }
        }
       }
      }
     },
     "400": {
      "description": "bad body, name or role",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the caller is not an admin",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "the name is in use, or host.admin.tokens_file is not set",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/tokens/{name}": {
   "delete": {
    "summary": "remove a named token (admin role): its calls and sessions stop at once",
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "removed",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "removed"
         ],
         "properties": {
          "removed": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "400": {
      "description": "\"host\": the host's own token is not removed here",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the caller is not an admin",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "no such token",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 }
})json";
}

}  // namespace hyperion::admin
