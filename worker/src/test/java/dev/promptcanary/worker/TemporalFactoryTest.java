package dev.promptcanary.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.temporal.serviceclient.GrpcMetadataProvider;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * How the Temporal client connects to a cluster that wants TLS or an API key (Temporal Cloud): what
 * the options built from the configuration carry, as the gRPC channel will use them.
 */
class TemporalFactoryTest {

  @Test
  void anApiKeyTravelsAsABearerTokenOnEveryStub() {
    TemporalFactory factory = new TemporalFactory();
    factory.getTls().setEnabled(true);
    factory.setApiKey("  cloud-key-123 \n");

    for (WorkflowServiceStubsOptions options :
        new WorkflowServiceStubsOptions[] {
          factory.serviceStubsOptions(null).build(), factory.requestStubsOptions(null).build()
        }) {
      Metadata headers = new Metadata();
      for (GrpcMetadataProvider provider : options.getGrpcMetadataProviders()) {
        headers.merge(provider.getMetadata());
      }
      assertThat(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("Bearer cloud-key-123");
      assertThat(options.getSslContext()).isNotNull();
    }
  }

  @Test
  void withoutAnApiKeyNoAuthorizationHeaderIsSent() {
    TemporalFactory factory = new TemporalFactory();

    WorkflowServiceStubsOptions options = factory.serviceStubsOptions(null).build();

    assertThat(options.getGrpcMetadataProviders()).isNullOrEmpty();
    assertThat(options.getSslContext()).isNull();
  }

  /**
   * The shipped configs leave each TLS path to an environment variable with an empty default; TLS
   * that only checks the server (an API key's) must still build from them.
   */
  @Test
  void emptyTlsPathsFromUnsetVariablesMeanNoPath() {
    TemporalFactory factory = new TemporalFactory();
    factory.getTls().setEnabled(true);
    factory.getTls().setCertChainFile("");
    factory.getTls().setPrivateKeyFile(" ");
    factory.getTls().setTrustCertFile("");

    assertThat(factory.getTls().getCertChainFile()).isNull();
    assertThat(factory.getTls().isClientCertificateComplete()).isTrue();
    assertThat(factory.serviceStubsOptions(null).build().getSslContext()).isNotNull();
  }

  @Test
  void aMissingCertificateFileIsNamedWithItsSetting() {
    TemporalFactory factory = new TemporalFactory();
    factory.getTls().setEnabled(true);
    factory.getTls().setCertChainFile("/nonexistent/client.pem");
    factory.getTls().setPrivateKeyFile("/nonexistent/client.key");

    assertThatThrownBy(() -> factory.serviceStubsOptions(null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("temporal.tls.certChainFile")
        .hasMessageContaining("/nonexistent/client.pem");
  }

  @Test
  void theChecksOfTheConfigurationSayWhatIsInconsistent() {
    TemporalFactory keyInClear = new TemporalFactory();
    keyInClear.setApiKey("cloud-key-123");
    assertThat(keyInClear.isApiKeySentOverTls()).isFalse();
    keyInClear.getTls().setEnabled(true);
    assertThat(keyInClear.isApiKeySentOverTls()).isTrue();

    TemporalFactory halfCertificate = new TemporalFactory();
    halfCertificate.getTls().setEnabled(true);
    halfCertificate.getTls().setCertChainFile("client.pem");
    assertThat(halfCertificate.getTls().isClientCertificateComplete()).isFalse();

    TemporalFactory pathsWithoutTls = new TemporalFactory();
    pathsWithoutTls.getTls().setTrustCertFile("ca.pem");
    assertThat(pathsWithoutTls.getTls().isEnabledWhenPathsGiven()).isFalse();
  }
}
