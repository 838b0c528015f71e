package dev.graft.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.graft.sim.plant.PlantParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a site configuration from YAML, strictly: an unknown or misspelt key, a value of the wrong
 * type or out of range is an error naming the line and the field, never silently ignored. Missing
 * keys take the defaults of {@link SiteConfig#defaults()}. The DTLS key is read from a file
 * (relative to the configuration's folder) or an environment variable, and a DTLS certificate with
 * its private key from PEM files, never from the YAML itself.
 */
public final class SiteConfigReader {
  /** A site file is a few hundred bytes; the cap keeps a wrong path from reading a disk image. */
  private static final long MAX_BYTES = 64 * 1024;

  private static final YAMLMapper MAPPER =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final Function<String, @Nullable String> environment;

  /** Reads keys named by {@code key_env} from the process environment. */
  public SiteConfigReader() {
    this(System::getenv);
  }

  /** Reads keys named by {@code key_env} through {@code environment} (tests pass a map). */
  public SiteConfigReader(Function<String, @Nullable String> environment) {
    this.environment = environment;
  }

  public SiteConfig read(Path file) {
    String yaml;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new SiteConfigException(
            file + " is larger than " + MAX_BYTES + " bytes; is it a site configuration?");
      }
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SiteConfigException("site configuration " + file + " does not exist", e);
    } catch (IOException e) {
      throw new SiteConfigException("cannot read site configuration " + file + ": " + e, e);
    }
    Path folder = file.toAbsolutePath().getParent();
    return parse(yaml, file.toString(), folder == null ? Path.of(".") : folder);
  }

  /**
   * Parses YAML text; {@code source} names it in error messages and {@code folder} anchors relative
   * key files.
   */
  public SiteConfig parse(String yaml, String source, Path folder) {
    SiteFile site;
    try {
      site = MAPPER.readValue(yaml, SiteFile.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(String::valueOf)
              .sorted()
              .collect(Collectors.joining(", "));
      throw new SiteConfigException(
          where(source, yaml, e) + "unknown field '" + path(e) + "' (known here: " + known + ")",
          e);
    } catch (JacksonException e) {
      throw new SiteConfigException(where(source, yaml, e) + describe(e), e);
    }
    if (site == null) {
      throw new SiteConfigException(source + ": the site configuration is empty");
    }
    try {
      return site.toConfig(folder, environment);
    } catch (IllegalArgumentException e) {
      throw new SiteConfigException(source + ": " + e.getMessage(), e);
    }
  }

  private static String where(String source, String yaml, JacksonException e) {
    int line = lineOf(yaml, e);
    if (line > 0) {
      return source + " line " + line + ": ";
    }
    TokenStreamLocation location = e.getLocation();
    if (location == null || location.getLineNr() < 1) {
      return source + ": ";
    }
    return source + " line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  /**
   * The line of the key the error is about, found by walking its path through the block YAML.
   * Jackson's own location is where the parser stopped, which for records bound through their
   * constructor is often the end of the enclosing mapping rather than the offending key.
   */
  private static int lineOf(String yaml, JacksonException e) {
    List<String> lines = yaml.lines().toList();
    int from = 0;
    int found = -1;
    for (JacksonException.Reference reference : e.getPath()) {
      String name = reference.getPropertyName();
      if (name == null) {
        return -1;
      }
      Pattern key = Pattern.compile("^\\s*" + Pattern.quote(name) + "\\s*:");
      found = -1;
      for (int i = from; i < lines.size(); i++) {
        if (key.matcher(lines.get(i)).find()) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        return -1;
      }
      from = found + 1;
    }
    return found + 1;
  }

  private static String path(JacksonException e) {
    return e.getPath().stream()
        .map(reference ->
            reference.getPropertyName() != null
                ? reference.getPropertyName()
                : "[" + reference.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  // Jackson's own message names Java classes; the user wrote YAML, so name the field instead.
  private static String describe(JacksonException e) {
    String field = path(e);
    Throwable cause = e.getCause();
    if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
      return (field.isEmpty() ? "" : field + ": ") + cause.getMessage();
    }
    String original = e.getOriginalMessage();
    String firstLine =
        original == null ? e.getClass().getSimpleName() : original.lines().findFirst().orElse("");
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      String expected = expected(mismatch.getTargetType());
      if (expected != null) {
        java.util.regex.Matcher matcher = FOUND.matcher(firstLine);
        String found = matcher.find() ? matcher.group(1) : "";
        return (field.isEmpty() ? "" : "field '" + field + "': ")
            + "expected "
            + expected
            + (found.isEmpty() ? "" : ", found " + found)
            + (found.startsWith("\"") && !expected.equals("text")
                ? " (write it without quotes)"
                : "");
      }
    }
    return (field.isEmpty() ? "" : "field '" + field + "': ") + simplify(firstLine);
  }

  /** The value Jackson found, from "Cannot coerce String value ("5020") to …". */
  private static final Pattern FOUND = Pattern.compile("value \\((.*)\\) to ");

  /** What a field of {@code type} holds, in the words of a YAML author; null if not plain. */
  private static @Nullable String expected(Class<?> type) {
    if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class
        || type == Short.class
        || type == short.class) {
      return "a whole number";
    }
    if (type == Double.class
        || type == double.class
        || type == Float.class
        || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "text";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type.isRecord() || java.util.Map.class.isAssignableFrom(type)) {
      return "a section (indented key: value lines)";
    }
    return null;
  }

  private static String simplify(String jacksonMessage) {
    return jacksonMessage
        .replace("java.lang.", "")
        .replaceAll("`dev\\.graft\\.sim\\.SiteConfigReader\\$(\\w+)File`", "section")
        .replaceAll("\\(class [^)]*\\)", "")
        .strip();
  }

  // ---- the file's shape; absent keys are null and take the defaults ----

  record SiteFile(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("speed") @Nullable Double speed,
      @JsonProperty("seed") @Nullable Long seed,
      @JsonProperty("modbus") @Nullable ModbusFile modbus,
      @JsonProperty("coap") @Nullable CoapFile coap,
      @JsonProperty("plant") @Nullable PlantFile plant) {

    SiteConfig toConfig(Path folder, Function<String, @Nullable String> environment) {
      SiteConfig defaults = SiteConfig.defaults();
      ModbusFile modbusFile =
          modbus != null ? modbus : new ModbusFile(null, null, null, null, null);
      CoapFile coapFile = coap != null ? coap : new CoapFile(null, null, null);
      PlantParameters parameters =
          (plant != null ? plant : PlantFile.EMPTY)
              .toParameters(
                  modbusFile.watchdogS() != null
                      ? modbusFile.watchdogS()
                      : defaults.plant().watchdogSeconds());
      return new SiteConfig(
          name != null ? name : defaults.name(),
          speed != null ? speed : defaults.speed(),
          seed != null ? seed : defaults.seed(),
          modbusFile.toSettings(defaults.modbus()),
          coapFile.toSettings(defaults.coap(), folder, environment),
          parameters);
    }
  }

  record ModbusFile(
      @JsonProperty("bind") @Nullable String bind,
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("unit_id") @Nullable Integer unitId,
      @JsonProperty("flow_word_order") @Nullable String flowWordOrder,
      @JsonProperty("watchdog_s") @Nullable Integer watchdogS) {

    SiteConfig.ModbusSettings toSettings(SiteConfig.ModbusSettings defaults) {
      WordOrder order = defaults.flowWordOrder();
      if (flowWordOrder != null) {
        order =
            switch (flowWordOrder) {
              case "big" -> WordOrder.BIG;
              case "little" -> WordOrder.LITTLE;
              default ->
                  throw new IllegalArgumentException(
                      "modbus.flow_word_order '"
                          + flowWordOrder
                          + "' must be 'big' (high word first) or 'little'");
            };
      }
      return new SiteConfig.ModbusSettings(
          bind != null ? bind : defaults.bindHost(),
          port != null ? port : defaults.port(),
          unitId != null ? unitId : defaults.unitId(),
          order);
    }
  }

  record CoapFile(
      @JsonProperty("bind") @Nullable String bind,
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("dtls") @Nullable DtlsFile dtls) {

    SiteConfig.CoapSettings toSettings(
        SiteConfig.CoapSettings defaults,
        Path folder,
        Function<String, @Nullable String> environment) {
      Psk psk = null;
      DtlsCertificate certificate = null;
      int dtlsPort = defaults.dtlsPort();
      if (dtls != null) {
        CertificateFile certificateFile = dtls.certificate();
        if (!dtls.hasPsk() && certificateFile == null) {
          throw new IllegalArgumentException(
              "coap.dtls needs a pre-shared key (identity with key_file or key_env), a"
                  + " certificate section, or both");
        }
        psk = dtls.hasPsk() ? dtls.psk(folder, environment) : null;
        certificate = certificateFile != null ? certificateFile.read(folder) : null;
        Integer securePort = dtls.port();
        dtlsPort = securePort != null ? securePort : dtlsPort;
      }
      return new SiteConfig.CoapSettings(
          bind != null ? bind : defaults.bindHost(),
          port != null ? port : defaults.port(),
          psk,
          certificate,
          dtlsPort);
    }
  }

  record DtlsFile(
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("identity") @Nullable String identity,
      @JsonProperty("key_file") @Nullable String keyFile,
      @JsonProperty("key_env") @Nullable String keyEnv,
      @JsonProperty("certificate") @Nullable CertificateFile certificate) {

    boolean hasPsk() {
      return identity != null || keyFile != null || keyEnv != null;
    }

    Psk psk(Path folder, Function<String, @Nullable String> environment) {
      if (identity == null || identity.isEmpty()) {
        throw new IllegalArgumentException("coap.dtls.identity is missing");
      }
      if ((keyFile == null) == (keyEnv == null)) {
        throw new IllegalArgumentException(
            "coap.dtls needs exactly one of key_file (a file holding the key) or key_env (an"
                + " environment variable holding it)");
      }
      String key;
      if (keyFile != null) {
        Path path = folder.resolve(keyFile);
        try {
          if (Files.size(path) > 1024) {
            throw new IllegalArgumentException(
                "coap.dtls.key_file " + path + " is larger than 1024 bytes; is it the key?");
          }
          key = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new IllegalArgumentException(
              "coap.dtls.key_file "
                  + path
                  + " cannot be read ("
                  + e.getClass().getSimpleName()
                  + ")",
              e);
        }
      } else {
        String value = environment.apply(keyEnv);
        if (value == null) {
          throw new IllegalArgumentException(
              "coap.dtls.key_env names " + keyEnv + ", which is not set in the environment");
        }
        key = value.strip();
      }
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            "the DTLS key from coap.dtls."
                + (keyFile != null ? "key_file" : "key_env")
                + " is empty");
      }
      return new Psk(identity, key.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The thermostat's X.509 identity: PEM files, relative to the configuration's folder. */
  record CertificateFile(
      @JsonProperty("chain_file") @Nullable String chainFile,
      @JsonProperty("key_file") @Nullable String keyFile,
      @JsonProperty("client_ca_file") @Nullable String clientCaFile) {

    DtlsCertificate read(Path folder) {
      if (chainFile == null || keyFile == null) {
        throw new IllegalArgumentException(
            "coap.dtls.certificate needs chain_file (the thermostat's certificate, PEM) and"
                + " key_file (its PKCS#8 private key, PEM)");
      }
      if (clientCaFile == null) {
        throw new IllegalArgumentException(
            "coap.dtls.certificate.client_ca_file is missing: the thermostat requires client"
                + " certificates, and this CA (PEM) must have issued them");
      }
      try {
        return DtlsCertificate.fromPem(
            folder.resolve(keyFile), folder.resolve(chainFile), folder.resolve(clientCaFile));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("coap.dtls.certificate." + e.getMessage(), e);
      }
    }
  }

  record PlantFile(
      @JsonProperty("ambient_c") @Nullable Double ambientC,
      @JsonProperty("start_c") @Nullable Double startC,
      @JsonProperty("heating_c_per_s") @Nullable Double heatingCPerS,
      @JsonProperty("loss_per_s") @Nullable Double lossPerS,
      @JsonProperty("noise_c") @Nullable Double noiseC,
      @JsonProperty("flow_lpm") @Nullable Double flowLpm,
      @JsonProperty("flow_noise_lpm") @Nullable Double flowNoiseLpm,
      @JsonProperty("setpoint_c") @Nullable Double setpointC,
      @JsonProperty("update_permit") @Nullable Boolean updatePermit) {
    static final PlantFile EMPTY =
        new PlantFile(null, null, null, null, null, null, null, null, null);

    PlantParameters toParameters(int watchdogSeconds) {
      PlantParameters d = PlantParameters.DEFAULT;
      return new PlantParameters(
          or(ambientC, d.ambientC()),
          or(startC, d.startC()),
          or(heatingCPerS, d.heatingCPerS()),
          or(lossPerS, d.lossPerS()),
          or(noiseC, d.noiseC()),
          or(flowLpm, d.flowLpm()),
          or(flowNoiseLpm, d.flowNoiseLpm()),
          or(setpointC, d.setpointC()),
          updatePermit != null ? updatePermit : d.updatePermit(),
          watchdogSeconds);
    }

    private static double or(@Nullable Double value, double fallback) {
      return value != null ? value : fallback;
    }
  }
}
