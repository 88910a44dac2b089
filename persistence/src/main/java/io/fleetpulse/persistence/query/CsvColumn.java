package io.fleetpulse.persistence.query;

import java.util.function.Function;

/** One column of a dataset's CSV export: its header and how an item's value is read. */
public record CsvColumn<T>(String header, Function<T, Object> value) {}
