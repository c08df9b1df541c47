package io.sqlqueue.internal.maintenance;

import java.time.Duration;

import io.sqlqueue.worker.Retention;

/**
 * How a node takes part in maintenance.
 *
 * @param rescueInterval the delay between lease rescues
 * @param cleanInterval the delay between retention cleanups
 * @param retention how long finished jobs without their own retention are kept
 * @param vacuumInterval the delay between vacuums (PostgreSQL), or {@code null} for none on a schedule
 * @param vacuumDeadRows vacuum once the job table holds this many dead rows (PostgreSQL), 0 for never
 * @param leaderTerm how long the elected node leads without renewing; a node that died is replaced after it
 */
public record MaintenanceConfig(Duration rescueInterval, Duration cleanInterval, Retention retention,
		Duration vacuumInterval, long vacuumDeadRows, Duration leaderTerm) {
}
