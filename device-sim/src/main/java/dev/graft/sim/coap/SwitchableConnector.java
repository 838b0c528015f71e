package dev.graft.sim.coap;

import dev.graft.sim.Faults;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;

/**
 * A connector that drops every incoming message while the CoAP device is switched offline, so a
 * client sees what it sees of a dead device: silence. Below DTLS it would break handshakes mid-way;
 * above it, established sessions stay, as they would across a short outage.
 */
final class SwitchableConnector implements Connector {
  private final Connector delegate;
  private final Faults faults;

  SwitchableConnector(Connector delegate, Faults faults) {
    this.delegate = delegate;
    this.faults = faults;
  }

  @Override
  public void start() throws IOException {
    delegate.start();
  }

  @Override
  public void stop() {
    delegate.stop();
  }

  @Override
  public void destroy() {
    delegate.destroy();
  }

  @Override
  public void send(RawData message) {
    delegate.send(message);
  }

  @Override
  public void setRawDataReceiver(RawDataChannel receiver) {
    delegate.setRawDataReceiver(message -> {
      if (!faults.coapOffline()) {
        receiver.receiveData(message);
      }
    });
  }

  @Override
  public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
    delegate.setEndpointContextMatcher(matcher);
  }

  @Override
  public InetSocketAddress getAddress() {
    return delegate.getAddress();
  }

  @Override
  public String getProtocol() {
    return delegate.getProtocol();
  }

  @Override
  public boolean isRunning() {
    return delegate.isRunning();
  }

  @Override
  public void processDatagram(DatagramPacket datagram) {
    delegate.processDatagram(datagram);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
