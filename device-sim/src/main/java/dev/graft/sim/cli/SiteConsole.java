package dev.graft.sim.cli;

import dev.graft.sim.Faults;
import dev.graft.sim.ModbusExceptionFault;
import dev.graft.sim.RegisterTable;
import dev.graft.sim.SimulatedSite;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The commands a person types into a running {@code device-sim site} to flip fault switches and the
 * operator's controls. Each line is one command; a bad one is answered with what is allowed and
 * changes nothing.
 */
final class SiteConsole {
  static final String HELP =
      """
      commands:
        modbus offline|online          drop/accept Modbus connections
        coap offline|online            ignore/answer CoAP datagrams
        delay MILLISECONDS             answer every request late (0 = at once)
        exception TABLE ADDRESS COUNT CODE   Modbus exception on a range; TABLE = coil|\
      discrete_input|input_register|holding_register
        exception off
        corrupt flow|temperature on|off
        reboot                         restart the PLC: connections drop, coils to 0
        permit on|off                  the operator's update-permit key switch
        setpoint CELSIUS               as if set at the thermostat
        clear                          all faults off
        status | help\
      """;

  private final SimulatedSite site;

  SiteConsole(SimulatedSite site) {
    this.site = site;
  }

  /**
   * Runs one command line.
   *
   * @return what to print
   * @throws IllegalArgumentException naming what was wrong; nothing has changed
   */
  String execute(String line) {
    List<String> words = List.of(line.strip().toLowerCase(Locale.ROOT).split("\\s+"));
    Faults faults = site.faults();
    String command = words.get(0);
    switch (command) {
      case "", "status" -> {
        return site.status();
      }
      case "help" -> {
        return HELP;
      }
      case "modbus", "coap" -> {
        boolean offline = onOff(words, 1, "offline", "online");
        if (command.equals("modbus")) {
          faults.setModbusOffline(offline);
        } else {
          faults.setCoapOffline(offline);
        }
      }
      case "delay" -> {
        expect(words, 2);
        faults.setResponseDelay(Duration.ofMillis(number(words.get(1), "delay")));
      }
      case "exception" -> {
        if (words.size() == 2 && words.get(1).equals("off")) {
          faults.setModbusException(null);
        } else {
          expect(words, 5);
          RegisterTable table = table(words.get(1));
          faults.setModbusException(
              new ModbusExceptionFault(
                  table,
                  (int) number(words.get(2), "address"),
                  (int) number(words.get(3), "count"),
                  (int) number(words.get(4), "code")));
        }
      }
      case "corrupt" -> {
        expect(words, 3);
        boolean on = onOff(words, 2, "on", "off");
        switch (words.get(1)) {
          case "flow" -> faults.setCorruptFlow(on);
          case "temperature" -> faults.setCorruptTemperature(on);
          default ->
              throw new IllegalArgumentException(
                  "corrupt takes flow or temperature, not '" + words.get(1) + "'");
        }
      }
      case "reboot" -> faults.rebootPlc();
      case "permit" -> site.plant().setUpdatePermit(onOff(words, 1, "on", "off"));
      case "setpoint" -> {
        expect(words, 2);
        try {
          site.plant().setSetpointC(Double.parseDouble(words.get(1)));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "setpoint takes a temperature in °C like 60.5, not '" + words.get(1) + "'", e);
        }
      }
      case "clear" -> faults.clear();
      default ->
          throw new IllegalArgumentException("unknown command '" + command + "'; try 'help'");
    }
    return site.status();
  }

  private static void expect(List<String> words, int count) {
    if (words.size() != count) {
      throw new IllegalArgumentException(
          "'" + words.get(0) + "' takes " + (count - 1) + " argument(s); try 'help'");
    }
  }

  private static boolean onOff(List<String> words, int index, String yes, String no) {
    expect(words, index + 1);
    String word = words.get(index);
    if (word.equals(yes)) {
      return true;
    }
    if (word.equals(no)) {
      return false;
    }
    throw new IllegalArgumentException(
        "'" + words.get(0) + "' takes " + yes + " or " + no + ", not '" + word + "'");
  }

  private static long number(String word, String what) {
    try {
      return Long.parseLong(word);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a whole number, not '" + word + "'", e);
    }
  }

  private static RegisterTable table(String word) {
    for (RegisterTable table : RegisterTable.values()) {
      if (table.name().toLowerCase(Locale.ROOT).equals(word)) {
        return table;
      }
    }
    throw new IllegalArgumentException(
        "table must be coil, discrete_input, input_register or holding_register, not '"
            + word
            + "'");
  }
}
