package openrouter.gateway.server.grpc;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import openrouter.gateway.server.errors.StatusMapper;

/** How the gateway's own services are registered. */
public final class ServiceDefinitions {
  private ServiceDefinitions() {}

  /** The service, answering malformed request bytes with INVALID_ARGUMENT (see {@link MalformedRequests}). */
  public static ServerServiceDefinition strict(BindableService service, StatusMapper statusMapper) {
    return MalformedRequests.wrap(service.bindService(), statusMapper);
  }
}
