package io.sqlqueue.internal;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-process wake-ups of one queue object: told the name of a queue once a due job for it was enqueued
 * from this JVM and committed, so that workers and pollers here claim at once instead of at their next poll.
 */
public final class Wakeups {

	private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

	/** Adds {@code listener}, called with each queue that got a due job. */
	public void add(Consumer<String> listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	public void remove(Consumer<String> listener) {
		this.listeners.remove(listener);
	}

	/** Tells every listener that {@code queue} has a due job. */
	public void wake(String queue) {
		for (Consumer<String> listener : this.listeners) {
			listener.accept(queue);
		}
	}

}
