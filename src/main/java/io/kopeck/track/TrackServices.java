package io.kopeck.track;

import io.kopeck.events.Events;
import io.kopeck.ledger.Holds;
import io.kopeck.ledger.Ledger;

/**
 * What runs of tracks are built on: the definitions, the ledger and its holds, and events out (each built
 * once by the root).
 */
public record TrackServices(TrackCatalog catalog, Ledger ledger, Holds holds, Events events) {
}
