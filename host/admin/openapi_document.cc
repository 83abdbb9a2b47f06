// The admin API's OpenAPI 3.1 document (served at GET /v1/openapi.json).
// tests/admin/admin_server_test.cc validates real answers against its schemas
// and checks that every path it lists is served: edit both together.
#include "admin/openapi_document.h"

namespace hyperion::admin {

const char* openapi_document() {
  return R"json({
 "openapi": "3.1.0",
 "info": {
  "title": "Hyperion admin API",
  "version": "1",
  "description": "The running host's admin API (docs/reload.md). Every endpoint needs the bearer token (<state_dir>/admin.token). The listener answers 400, 408, 411, 413, 414, 431 and 503 itself as RFC 9457 problems (application/problem+json)."
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  }
 },
 "security": [
  {
   "bearer": []
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
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
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
              "type": ["object", "null"],
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
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
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
           "type": ["object", "null"],
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
        }
       }
      }
     },
     "404": {
      "description": "no such revision",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "400": {
      "description": "the body or If-Match is malformed",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "401": {
      "description": "missing or wrong bearer token",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "404": {
      "description": "no such revision or instance",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "409": {
      "description": "refused or rolled back (error.code says why)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "412": {
      "description": "If-Match names a revision that no longer runs (revision_moved)",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     },
     "422": {
      "description": "the new manifest is invalid",
      "content": {
       "application/json": {
        "schema": {
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
        }
       }
      }
     }
    }
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
