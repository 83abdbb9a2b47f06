// The admin API described for machines: an OpenAPI 3.1 document whose schemas
// are the JSON Schema subset the host's validator reads (draft 7 keywords; a
// schema used in many places is written once in components/schemas and named
// by $ref), so a test can check real answers against it.
#pragma once

namespace hyperion::admin {

// The document, JSON text.
const char* openapi_document();

}  // namespace hyperion::admin
