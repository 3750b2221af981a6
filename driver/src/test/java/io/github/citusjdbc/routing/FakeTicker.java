package io.github.citusjdbc.routing;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/** A clock that moves only when the test says so. */
final class FakeTicker implements Ticker {
    private volatile long now = 5_000_000_000L;

    @Override
    public long read() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }
}
