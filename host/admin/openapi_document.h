// The admin API described for machines: an OpenAPI 3.1 document whose schemas
// are the JSON Schema subset the host's validator reads (draft 7 keywords,
// no $ref), so a test can check real answers against it.
#pragma once

namespace hyperion::admin {

// The document, JSON text.
const char* openapi_document();

}  // namespace hyperion::admin
