package io.sqlqueue.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Function;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.internal.QueueAccess;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.Retention;

/** What tests reach behind a queue's public API: its store and its services. */
public final class Internals {

	private Internals() {
	}

	public static QueueServices services(JdbcJobQueue queue) {
		return QueueAccess.servicesOf(queue);
	}

	public static JdbcJobStore store(JdbcJobQueue queue) {
		return services(queue).store();
	}

	/**
	 * Maintenance of {@code store}'s tables outside any worker, always leading; run its tasks by hand, or
	 * start it.
	 */
	public static Maintenance maintenance(JobStore store, Duration rescueInterval, Duration cleanInterval,
			Retention retention, Duration vacuumInterval, long vacuumDeadRows) {
		return new Maintenance(store, new MaintenanceSettings(rescueInterval, cleanInterval, vacuumInterval, vacuumDeadRows,
				retention, MaintenanceSettings.DEFAULT_LEADER_TERM, MaintenanceSettings.DEFAULT_NODE_HEARTBEAT,
				MaintenanceSettings.DEFAULT_UNHANDLED_AFTER, MaintenanceSettings.DEFAULT_SNAPSHOT_WARNING_AGE), null,
				InstantSource.system());
	}

	/** Maintenance of {@code queue}'s tables under {@code settings}, always leading, run by hand or started. */
	public static Maintenance maintenance(JdbcJobQueue queue, MaintenanceSettings settings) {
		return maintenance(queue, settings, InstantSource.system());
	}

	/** Maintenance of {@code queue}'s tables under {@code settings} on {@code clock}, always leading. */
	public static Maintenance maintenance(JdbcJobQueue queue, MaintenanceSettings settings, InstantSource clock) {
		return new Maintenance(store(queue), settings, null, clock);
	}

	/** Maintenance of {@code queue}'s tables that is never scheduled: its tasks run when the test calls them. */
	public static Maintenance maintenance(JdbcJobQueue queue, Retention retention) {
		return maintenance(store(queue), Duration.ofHours(1), Duration.ofHours(1), retention, null, 0);
	}

	/**
	 * {@code store} with its method {@code name} replaced by {@code replacement}, which gets the call's
	 * arguments: a database that misbehaves in one statement.
	 */
	public static JobStore replacing(JobStore store, String name, Function<Object[], Object> replacement) {
		return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] { JobStore.class },
				(proxy, method, args) -> {
					if (method.getName().equals(name)) {
						return replacement.apply(args);
					}
					try {
						return method.invoke(store, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

}
