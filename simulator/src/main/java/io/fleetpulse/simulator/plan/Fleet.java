package io.fleetpulse.simulator.plan;

import io.fleetpulse.simulator.signal.Profile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Lays out the simulated fleet: which devices exist, their profiles (an exact mix spread evenly
 * over the index range), sites ({@code plant-1..plant-K}, round-robin), gateway connections
 * and which devices are faulty (an exact share, chosen by the seed). An edge gateway speaks only
 * for its own site, so connection {@code k} serves the devices of site {@code k % K}, round-robin
 * among that site's connections; a run has at least one connection per site that has devices
 * ({@link #connections}).
 */
public final class Fleet {

  private static final String DEVICE_NUMBER_FORMAT = "%s-%05d";

  private Fleet() {}

  /** The connections a run opens: those asked for, but at least one per site that has devices. */
  public static int connections(int devices, int connections, int sites) {
    return Math.max(connections, Math.min(sites, devices));
  }

  /** The site index (0-based) connection {@code connection} publishes for. */
  public static int siteOfConnection(int connection, int sites) {
    return connection % sites;
  }

  public static List<SimulatedDevice> layout(
      int devices, int requestedConnections, int sites, double rotatingMachineShare, double faultyShare, long seed) {
    if (devices < 1 || requestedConnections < 1 || sites < 1) {
      throw new IllegalArgumentException("devices, connections and sites must be at least 1");
    }
    int connections = connections(devices, requestedConnections, sites);
    long rotatingMachines = Math.round(devices * rotatingMachineShare);
    boolean[] faulty = chooseFaulty(devices, Math.round(devices * faultyShare), seed);
    List<SimulatedDevice> fleet = new ArrayList<>(devices);
    int rotatingNumber = 0;
    int environmentNumber = 0;
    for (int i = 0; i < devices; i++) {
      // Bresenham-style: exactly `rotatingMachines` of `devices`, evenly interleaved.
      boolean rotating = (i + 1) * rotatingMachines / devices > i * rotatingMachines / devices;
      Profile profile = rotating ? Profile.ROTATING_MACHINE : Profile.ENVIRONMENT_SENSOR;
      int number = rotating ? ++rotatingNumber : ++environmentNumber;
      String deviceId = String.format(DEVICE_NUMBER_FORMAT, profile.devicePrefix(), number);
      int site = i % sites;
      int siteConnections = (connections - site + sites - 1) / sites;
      int connection = site + sites * ((i / sites) % siteConnections);
      fleet.add(new SimulatedDevice(i, deviceId, profile, siteName(site), connection, faulty[i]));
    }
    return List.copyOf(fleet);
  }

  /** {@code plant-<index + 1>}. */
  public static String siteName(int site) {
    return "plant-" + (site + 1);
  }

  private static boolean[] chooseFaulty(int devices, long count, long seed) {
    List<Integer> indexes = new ArrayList<>(devices);
    for (int i = 0; i < devices; i++) {
      indexes.add(i);
    }
    Collections.shuffle(indexes, new Random(seed));
    boolean[] faulty = new boolean[devices];
    for (int i = 0; i < count; i++) {
      faulty[indexes.get(i)] = true;
    }
    return faulty;
  }
}
