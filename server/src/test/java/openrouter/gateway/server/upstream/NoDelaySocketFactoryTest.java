package openrouter.gateway.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way OkHttp may ask for an upstream socket gives one with Nagle's algorithm off. */
class NoDelaySocketFactoryTest {
  @Test
  void everySocketHasTcpNoDelay() throws Exception {
    NoDelaySocketFactory factory = new NoDelaySocketFactory();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 10, loopback)) {
      int port = server.getLocalPort();
      Socket unconnected = factory.createSocket(); // what OkHttp uses: it connects the socket itself
      unconnected.connect(new InetSocketAddress(loopback, port), 5_000);
      List<Socket> sockets = List.of(
          unconnected,
          factory.createSocket("127.0.0.1", port),
          factory.createSocket("127.0.0.1", port, loopback, 0),
          factory.createSocket(loopback, port),
          factory.createSocket(loopback, port, loopback, 0));
      try {
        for (Socket socket : sockets) {
          assertThat(socket.isConnected()).isTrue();
          assertThat(socket.getTcpNoDelay()).isTrue();
        }
      } finally {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
    }
    assertThat(new Socket().getTcpNoDelay()).as("the JDK default this class exists to change").isFalse();
  }
}
