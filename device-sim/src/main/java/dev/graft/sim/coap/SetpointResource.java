package dev.graft.sim.coap;

import dev.graft.sim.Faults;
import dev.graft.sim.plant.Plant;
import dev.graft.sim.plant.Setpoints;
import java.math.BigDecimal;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.CoapExchange;

/** {@code /setpoint}: the thermostat's setpoint in °C as a text/plain decimal; observable. */
final class SetpointResource extends CoapResource {
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,4}(\\.[0-9]{1,6})?");

  private final Plant plant;
  private final Faults faults;

  SetpointResource(Plant plant, Faults faults) {
    super("setpoint");
    this.plant = plant;
    this.faults = faults;
    setObservable(true);
    setObserveType(CoAP.Type.CON);
    getAttributes().setTitle("boiler setpoint, °C");
    getAttributes().addContentType(MediaTypeRegistry.TEXT_PLAIN);
    getAttributes().setObservable();
  }

  @Override
  public void handleRequest(Exchange exchange) {
    try {
      faults.awaitResponseDelay();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    super.handleRequest(exchange);
  }

  @Override
  public void handleGET(CoapExchange exchange) {
    exchange.respond(ResponseCode.CONTENT, format(plant.setpointC()), MediaTypeRegistry.TEXT_PLAIN);
  }

  @Override
  public void handlePUT(CoapExchange exchange) {
    int format = exchange.getRequestOptions().getContentFormat();
    if (format != MediaTypeRegistry.UNDEFINED && format != MediaTypeRegistry.TEXT_PLAIN) {
      exchange.respond(
          ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
          "setpoint takes text/plain (content format 0), not content format " + format);
      return;
    }
    String text = exchange.getRequestText().strip();
    if (!DECIMAL.matcher(text).matches()) {
      exchange.respond(
          ResponseCode.BAD_REQUEST,
          "setpoint must be a decimal in °C like 60.0, not '" + printable(text) + "'");
      return;
    }
    double celsius = Double.parseDouble(text);
    if (!Setpoints.inRange(celsius)) {
      exchange.respond(ResponseCode.BAD_REQUEST, Setpoints.rangeProblem(celsius));
      return;
    }
    plant.setSetpointC(celsius);
    exchange.respond(ResponseCode.CHANGED);
  }

  static String format(double celsius) {
    return BigDecimal.valueOf(celsius).toPlainString();
  }

  // The payload comes from the network: echo a short, printable excerpt only.
  private static String printable(String text) {
    String shortened = text.length() > 20 ? text.substring(0, 20) + "…" : text;
    return shortened.replaceAll("\\P{Print}", "?");
  }
}
