// GENERATED from schemas/wireplay.routes.schema.json by `node schemas/build-schema-module.mjs`: edit the
// JSON file, then run that. The schema VS Code checks wireplay.routes.json with (contributes.jsonValidation),
// as a module for the loader's validator (json-schema.ts).
import type { SchemaNode } from './json-schema.js';

export const ROUTES_SCHEMA: SchemaNode = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Wireplay routes file",
  "description": "Routes served by the Wireplay server next to its built-in routes. See docs/routes.md.",
  "$comment": "The server validates wireplay.routes.json with this schema (server-core/routes/schema/). errorMessage and patternErrorMessage are VS Code's keywords; the server uses them too.",
  "anyOf": [
    {
      "$ref": "#/definitions/routesObject"
    },
    {
      "$ref": "#/definitions/routes"
    }
  ],
  "errorMessage": "expected an object { \"routes\": [ … ] } (or an array of routes)",
  "definitions": {
    "routesObject": {
      "type": "object",
      "required": [
        "routes"
      ],
      "additionalProperties": false,
      "properties": {
        "$schema": {
          "type": "string",
          "description": "The schema of this file (optional: VS Code knows it by the file name)."
        },
        "routes": {
          "$ref": "#/definitions/routes"
        }
      },
      "defaultSnippets": [
        {
          "label": "routes",
          "body": {
            "routes": [
              {
                "path": "/${1:hello}",
                "body": "${2:Hello}"
              }
            ]
          }
        }
      ]
    },
    "routes": {
      "type": "array",
      "description": "The routes, in any order: the most specific path wins, then the one written first.",
      "items": {
        "$ref": "#/definitions/route"
      }
    },
    "route": {
      "type": "object",
      "errorMessage": "expected an object like { \"path\": \"/hello\", \"body\": \"Hello\" }",
      "required": [
        "path"
      ],
      "additionalProperties": false,
      "properties": {
        "path": {
          "type": "string",
          "pattern": "^/(?:(?:[^/*:][^/*]*|:[A-Za-z_][A-Za-z0-9_]*)/)*(?:[^/*:][^/*]*|:[A-Za-z_][A-Za-z0-9_]*|\\*)?$",
          "markdownDescription": "The path pattern: `/users` (literal), `/users/:id` (one segment, in `req.params.id`), `/files/*` (the rest, last segment only).",
          "errorMessage": "must be a string starting with '/'",
          "patternErrorMessage": "must start with '/' and be a pattern like /users/:id or /files/* (a :name starts with a letter or _, and * is a whole last segment)",
          "examples": [
            "/hello",
            "/api/users/:id",
            "/site/*"
          ]
        },
        "method": {
          "markdownDescription": "A method, a list of methods, or `\"*\"` for any method. Default `\"GET\"` (which also answers HEAD).",
          "anyOf": [
            {
              "$ref": "#/definitions/method"
            },
            {
              "type": "array",
              "minItems": 1,
              "items": {
                "$ref": "#/definitions/method"
              },
              "errorMessage": "a method name like \"GET\" or \"POST\", a list of them, or \"*\" for any method"
            }
          ],
          "errorMessage": "a method name like \"GET\" or \"POST\", a list of them, or \"*\" for any method",
          "default": "GET"
        },
        "description": {
          "type": "string",
          "description": "Shown in the route list.",
          "errorMessage": "must be a string"
        },
        "status": {
          "type": "integer",
          "minimum": 100,
          "maximum": 599,
          "default": 200,
          "description": "The status code, 100–599. 1xx, 204 and 304 cannot have a body.",
          "errorMessage": "must be an integer from 100 to 599"
        },
        "headers": {
          "type": "object",
          "markdownDescription": "Response headers: `{ \"Name\": \"value\" }`; a value may be a number or a list of strings.",
          "errorMessage": "must be an object of header names to values",
          "propertyNames": {
            "pattern": "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$",
            "patternErrorMessage": "is not a valid header name"
          },
          "additionalProperties": {
            "$ref": "#/definitions/headerValue"
          }
        },
        "body": {
          "markdownDescription": "The body: a string is sent as `text/plain; charset=utf-8`, any other JSON value as `application/json`."
        },
        "bodyBase64": {
          "type": "string",
          "pattern": "^[A-Za-z0-9+/\\s]*(?:=\\s*){0,2}$",
          "markdownDescription": "The body as base64 bytes, sent as `application/octet-stream` unless `headers` says otherwise.",
          "errorMessage": "must be a base64 string",
          "patternErrorMessage": "is not base64 (A–Z, a–z, 0–9, + and /, then at most two =)"
        },
        "file": {
          "type": "string",
          "minLength": 1,
          "pattern": "^(?!/)(?!\\.\\.(?:[/\\\\]|$))[^\\u0000]*$",
          "errorMessage": "must be a path relative to the routes file's folder",
          "patternErrorMessage": "must stay inside the routes file's folder (a relative path that does not start with ..)",
          "markdownDescription": "A file to serve, relative to the routes file's folder (ranges, ETags and Content-Type as for static files)."
        },
        "dir": {
          "type": "string",
          "minLength": 1,
          "pattern": "^(?!/)(?!\\.\\.(?:[/\\\\]|$))[^\\u0000]*$",
          "errorMessage": "must be a path relative to the routes file's folder",
          "patternErrorMessage": "must stay inside the routes file's folder (a relative path that does not start with ..)",
          "markdownDescription": "A folder to serve under a path ending in `/*`, relative to the routes file's folder."
        },
        "delay": {
          "type": "integer",
          "minimum": 0,
          "maximum": 60000,
          "description": "Milliseconds to wait before answering, 0–60000 (cut short if the client closes its side).",
          "errorMessage": "must be an integer number of milliseconds from 0 to 60000"
        }
      },
      "allOf": [
        {
          "not": {
            "required": [
              "file",
              "dir"
            ]
          },
          "errorMessage": "\"file\" and \"dir\" cannot be used together"
        },
        {
          "not": {
            "required": [
              "body",
              "bodyBase64"
            ]
          },
          "errorMessage": "use \"body\" or \"bodyBase64\", not both"
        },
        {
          "not": {
            "required": [
              "file",
              "status"
            ]
          },
          "errorMessage": "\"status\" cannot be used with \"file\""
        },
        {
          "not": {
            "required": [
              "file",
              "body"
            ]
          },
          "errorMessage": "\"body\" cannot be used with \"file\""
        },
        {
          "not": {
            "required": [
              "file",
              "bodyBase64"
            ]
          },
          "errorMessage": "\"bodyBase64\" cannot be used with \"file\""
        },
        {
          "not": {
            "required": [
              "dir",
              "status"
            ]
          },
          "errorMessage": "\"status\" cannot be used with \"dir\""
        },
        {
          "not": {
            "required": [
              "dir",
              "body"
            ]
          },
          "errorMessage": "\"body\" cannot be used with \"dir\""
        },
        {
          "not": {
            "required": [
              "dir",
              "bodyBase64"
            ]
          },
          "errorMessage": "\"bodyBase64\" cannot be used with \"dir\""
        },
        {
          "if": {
            "required": [
              "status"
            ],
            "properties": {
              "status": {
                "type": "integer",
                "minimum": 100,
                "maximum": 199
              }
            }
          },
          "then": {
            "not": {
              "anyOf": [
                {
                  "required": [
                    "body"
                  ]
                },
                {
                  "required": [
                    "bodyBase64"
                  ]
                }
              ]
            },
            "errorMessage": "a 1xx response has no body"
          }
        },
        {
          "if": {
            "required": [
              "status"
            ],
            "properties": {
              "status": {
                "const": 204
              }
            }
          },
          "then": {
            "not": {
              "anyOf": [
                {
                  "required": [
                    "body"
                  ]
                },
                {
                  "required": [
                    "bodyBase64"
                  ]
                }
              ]
            },
            "errorMessage": "a 204 response has no body"
          }
        },
        {
          "if": {
            "required": [
              "status"
            ],
            "properties": {
              "status": {
                "const": 304
              }
            }
          },
          "then": {
            "not": {
              "anyOf": [
                {
                  "required": [
                    "body"
                  ]
                },
                {
                  "required": [
                    "bodyBase64"
                  ]
                }
              ]
            },
            "errorMessage": "a 304 response has no body"
          }
        },
        {
          "not": {
            "required": [
              "dir",
              "path"
            ],
            "properties": {
              "path": {
                "not": {
                  "pattern": "/\\*$"
                }
              }
            }
          },
          "errorMessage": "a \"dir\" route's path ends with \"/*\" (e.g. \"/site/*\")"
        }
      ],
      "defaultSnippets": [
        {
          "label": "text",
          "description": "a fixed text response",
          "body": {
            "path": "/${1:hello}",
            "body": "${2:Hello}"
          }
        },
        {
          "label": "JSON",
          "description": "a JSON response",
          "body": {
            "path": "/${1:api/items}",
            "body": {
              "${2:id}": 1
            }
          }
        },
        {
          "label": "status and headers",
          "body": {
            "method": "${1:POST}",
            "path": "/${2:items}",
            "status": 201,
            "headers": {
              "Location": "/${2:items}/1"
            }
          }
        },
        {
          "label": "file",
          "body": {
            "path": "/${1:logo.png}",
            "file": "${2:media/logo.png}"
          }
        },
        {
          "label": "folder",
          "body": {
            "path": "/${1:site}/*",
            "dir": "${2:public}"
          }
        },
        {
          "label": "delayed",
          "body": {
            "path": "/${1:slow}",
            "delay": 1000,
            "body": "${2:late}"
          }
        }
      ]
    },
    "method": {
      "type": "string",
      "pattern": "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$",
      "examples": [
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
        "*"
      ],
      "errorMessage": "must be a method name",
      "patternErrorMessage": "is not a method name like \"GET\" or \"POST\" (or \"*\" for any method)"
    },
    "headerValue": {
      "type": [
        "string",
        "number",
        "array"
      ],
      "errorMessage": "must be a string, a number or a list of strings",
      "items": {
        "$ref": "#/definitions/headerScalar"
      },
      "allOf": [
        {
          "$ref": "#/definitions/noLineBreaks"
        }
      ]
    },
    "headerScalar": {
      "type": [
        "string",
        "number"
      ],
      "errorMessage": "must be a string, a number or a list of strings",
      "allOf": [
        {
          "$ref": "#/definitions/noLineBreaks"
        }
      ]
    },
    "noLineBreaks": {
      "not": {
        "type": "string",
        "pattern": "[\\r\\n\\u0000]"
      },
      "errorMessage": "CR, LF and NUL are not allowed in a header value"
    }
  }
};
