package io.fleetpulse.simulator;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** A mutable copy of {@link SimulatorSettings} behind its {@code withX} methods; never escapes them. */
final class SettingsCopy {

  private URI brokerUrl;
  private Optional<URI> apiUrl;
  private int devices;
  private int connections;
  private double rate;
  private int maxInFlightPerConnection;
  private long messages;
  private Duration duration;
  private long seed;
  private int sites;
  private double rotatingMachineShare;
  private double compactShare;
  private double malformedShare;
  private double duplicateShare;
  private double lateShare;
  private double faultyShare;
  private double timeAcceleration;
  private Duration progressInterval;
  private Duration drain;
  private SimulatorSettings.Tuning tuning;

  SettingsCopy(SimulatorSettings settings) {
    this.brokerUrl = settings.brokerUrl();
    this.apiUrl = settings.apiUrl();
    this.devices = settings.devices();
    this.connections = settings.connections();
    this.rate = settings.rate();
    this.maxInFlightPerConnection = settings.maxInFlightPerConnection();
    this.messages = settings.messages();
    this.duration = settings.duration();
    this.seed = settings.seed();
    this.sites = settings.sites();
    this.rotatingMachineShare = settings.rotatingMachineShare();
    this.compactShare = settings.compactShare();
    this.malformedShare = settings.malformedShare();
    this.duplicateShare = settings.duplicateShare();
    this.lateShare = settings.lateShare();
    this.faultyShare = settings.faultyShare();
    this.timeAcceleration = settings.timeAcceleration();
    this.progressInterval = settings.progressInterval();
    this.drain = settings.drain();
    this.tuning = settings.tuning();
  }

  SettingsCopy brokerUrl(URI value) {
    this.brokerUrl = value;
    return this;
  }

  SettingsCopy apiUrl(Optional<URI> value) {
    this.apiUrl = value;
    return this;
  }

  SettingsCopy devices(int value) {
    this.devices = value;
    return this;
  }

  SettingsCopy connections(int value) {
    this.connections = value;
    return this;
  }

  SettingsCopy rate(double value) {
    this.rate = value;
    return this;
  }

  SettingsCopy maxInFlightPerConnection(int value) {
    this.maxInFlightPerConnection = value;
    return this;
  }

  SettingsCopy messages(long value) {
    this.messages = value;
    return this;
  }

  SettingsCopy duration(Duration value) {
    this.duration = value;
    return this;
  }

  SettingsCopy seed(long value) {
    this.seed = value;
    return this;
  }

  SettingsCopy sites(int value) {
    this.sites = value;
    return this;
  }

  SettingsCopy rotatingMachineShare(double value) {
    this.rotatingMachineShare = value;
    return this;
  }

  SettingsCopy compactShare(double value) {
    this.compactShare = value;
    return this;
  }

  SettingsCopy malformedShare(double value) {
    this.malformedShare = value;
    return this;
  }

  SettingsCopy duplicateShare(double value) {
    this.duplicateShare = value;
    return this;
  }

  SettingsCopy lateShare(double value) {
    this.lateShare = value;
    return this;
  }

  SettingsCopy faultyShare(double value) {
    this.faultyShare = value;
    return this;
  }

  SettingsCopy timeAcceleration(double value) {
    this.timeAcceleration = value;
    return this;
  }

  SettingsCopy progressInterval(Duration value) {
    this.progressInterval = value;
    return this;
  }

  SettingsCopy drain(Duration value) {
    this.drain = value;
    return this;
  }

  SettingsCopy tuning(SimulatorSettings.Tuning value) {
    this.tuning = value;
    return this;
  }

  SimulatorSettings build() {
    return new SimulatorSettings(
        brokerUrl,
        apiUrl,
        devices,
        connections,
        rate,
        maxInFlightPerConnection,
        messages,
        duration,
        seed,
        sites,
        rotatingMachineShare,
        compactShare,
        malformedShare,
        duplicateShare,
        lateShare,
        faultyShare,
        timeAcceleration,
        progressInterval,
        drain,
        tuning);
  }
}
