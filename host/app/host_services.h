// The services the host itself provides to plugins (provider name "hyperion"):
// hyperion.health 1.0 (hyperion/services/health.h). Published once, when the
// host is prepared; the vtables are static and the context is the Host.
// Host::accept_proposals(), defined beside it, routes the host API's config
// proposals (config_propose, config_propose_layer) to the reload room.
#pragma once

namespace hyperion::app {

class Host;
void publish_host_services(Host& host);

}  // namespace hyperion::app
