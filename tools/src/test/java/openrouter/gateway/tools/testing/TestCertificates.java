package openrouter.gateway.tools.testing;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and its PKCS#8 key as PEM files, made with the JDK's own keytool
 * (no test certificates checked in, nothing to expire).
 */
public record TestCertificates(File certificate, File privateKey) {
  private static final char[] PASSWORD = "changeit".toCharArray();

  /** A certificate for {@code localhost} and 127.0.0.1, valid for a day, in {@code dir}. */
  public static TestCertificates selfSigned(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=" + name, "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "1",
        "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, PASSWORD);
    }
    Key key = ks.getKey(name, PASSWORD);
    Certificate cert = ks.getCertificate(name);
    Path certFile = dir.resolve(name + ".crt.pem");
    Path keyFile = dir.resolve(name + ".key.pem");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new TestCertificates(certFile.toFile(), keyFile.toFile());
  }

  private static String pem(String type, byte[] der) {
    String body = String.join("\n", split(Base64.getEncoder().encodeToString(der)));
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static List<String> split(String s) {
    return java.util.stream.IntStream.range(0, (s.length() + 63) / 64)
        .mapToObj(i -> s.substring(i * 64, Math.min(s.length(), i * 64 + 64))).toList();
  }
}
