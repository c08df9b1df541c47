package io.sqlqueue.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until the test moves it: give it to the component under test
 * ({@code JobWorker.Builder.clock}, a {@code LeaderElector}, a {@code Maintenance}) and advance it to make
 * time pass for that component without waiting. The database's clock, which decides leases and due times,
 * moves on regardless.
 */
public final class TestClock implements InstantSource {

	private final AtomicReference<Instant> now;

	/** A clock at {@code start}. */
	public TestClock(Instant start) {
		this.now = new AtomicReference<>(start);
	}

	/** A clock at the system's time now. */
	public TestClock() {
		this(Instant.now());
	}

	@Override
	public Instant instant() {
		return this.now.get();
	}

	/** Moves the clock on by {@code duration}. @return the new time */
	public Instant advance(Duration duration) {
		return this.now.updateAndGet((instant) -> instant.plus(duration));
	}

	/** Sets the clock to {@code instant}. */
	public void set(Instant instant) {
		this.now.set(instant);
	}

}
