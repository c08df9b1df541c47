package io.sqlqueue.spring;

import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.spring.dashboard.DashboardProperties;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.QueueSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated configuration metadata, which IDEs show, documents every property with the core's
 * defaults.
 */
class SqlQueuePropertiesMetadataTests {

	private final Map<String, JsonNode> properties = new HashMap<>();

	SqlQueuePropertiesMetadataTests() throws Exception {
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			JsonNode root = JsonMapper.builder().build().readTree(in);
			for (JsonNode property : root.get("properties")) {
				this.properties.put(property.get("name").asString(), property);
			}
		}
	}

	@Test
	void everySqlqueuePropertyHasADescription() {
		assertThat(this.properties.keySet().stream().filter((name) -> name.startsWith("sqlqueue."))).hasSizeGreaterThan(25);
		this.properties.forEach((name, property) -> {
			if (name.startsWith("sqlqueue.")) {
				assertThat(property.path("description").asString()).as(name).isNotBlank();
			}
		});
	}

	@Test
	void documentedDefaultsAreTheCoresDefaults() {
		assertThat(duration("sqlqueue.defaults.poll-interval")).isEqualTo(QueueSettings.DEFAULT_POLL_INTERVAL);
		assertThat(duration("sqlqueue.defaults.lease")).isEqualTo(QueueSettings.DEFAULT_LEASE);
		assertThat(number("sqlqueue.defaults.concurrency")).isEqualTo(QueueSettings.DEFAULT_CONCURRENCY);
		assertThat(number("sqlqueue.defaults.batch-size")).isEqualTo(QueueSettings.DEFAULT_BATCH_SIZE);
		assertThat(number("sqlqueue.defaults.max-attempts")).isEqualTo(JobQueue.DEFAULT_MAX_ATTEMPTS);
		assertThat(text("sqlqueue.defaults.backoff.policy")).isEqualTo(Backoff.DEFAULT.policy().name().toLowerCase(Locale.ROOT));
		assertThat(duration("sqlqueue.defaults.backoff.base")).isEqualTo(Backoff.DEFAULT.base());
		assertThat(duration("sqlqueue.defaults.backoff.max")).isEqualTo(Backoff.DEFAULT.max());
		assertThat(this.properties.get("sqlqueue.defaults.backoff.jitter").get("defaultValue").asDouble())
			.isEqualTo(Backoff.DEFAULT.jitter());
		assertThat(duration("sqlqueue.retention.succeeded")).isEqualTo(Retention.DEFAULT.succeeded());
		assertThat(duration("sqlqueue.retention.dead")).isEqualTo(Retention.DEFAULT.dead());
		assertThat(duration("sqlqueue.retention.cancelled")).isEqualTo(Retention.DEFAULT.cancelled());
		assertThat(duration("sqlqueue.worker.rescue-interval")).isEqualTo(MaintenanceSettings.DEFAULT_RESCUE_INTERVAL);
		assertThat(duration("sqlqueue.worker.clean-interval")).isEqualTo(MaintenanceSettings.DEFAULT_CLEAN_INTERVAL);
		assertThat(duration("sqlqueue.worker.leader-term")).isEqualTo(MaintenanceSettings.DEFAULT_LEADER_TERM);
		assertThat(duration("sqlqueue.worker.node-heartbeat")).isEqualTo(MaintenanceSettings.DEFAULT_NODE_HEARTBEAT);
		assertThat(duration("sqlqueue.worker.unhandled-after")).isEqualTo(MaintenanceSettings.DEFAULT_UNHANDLED_AFTER);
		assertThat(duration("sqlqueue.worker.snapshot-warning-age"))
			.isEqualTo(MaintenanceSettings.DEFAULT_SNAPSHOT_WARNING_AGE);
		assertThat(number("sqlqueue.worker.outcome-backlog")).isEqualTo(JobWorker.DEFAULT_OUTCOME_BACKLOG);
		assertThat(text("sqlqueue.worker.mode"))
			.isEqualTo(new SqlQueueProperties().getWorker().getMode().name().toLowerCase(Locale.ROOT));
		assertThat(this.properties.get("sqlqueue.worker.vacuum-dead-rows").get("defaultValue").asLong())
			.isEqualTo(MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS);
		assertThat(duration("sqlqueue.shutdown-timeout")).isEqualTo(SqlQueueProperties.DEFAULT_SHUTDOWN_TIMEOUT);
		assertThat(duration("sqlqueue.metrics.sample-interval"))
			.isEqualTo(SqlQueueProperties.DEFAULT_METRICS_SAMPLE_INTERVAL);
		assertThat(text("sqlqueue.dashboard.path")).isEqualTo(DashboardProperties.DEFAULT_PATH);
		assertThat(duration("sqlqueue.dashboard.refresh-interval")).isEqualTo(DashboardProperties.DEFAULT_REFRESH_INTERVAL);
		assertThat(this.properties.get("sqlqueue.dashboard.enabled").get("defaultValue").asBoolean()).isFalse();
		assertThat(DataSize.parse(text("sqlqueue.max-payload-size")).toBytes())
			.isEqualTo(JdbcJobQueue.DEFAULT_MAX_PAYLOAD_BYTES);
		assertThat(text("sqlqueue.table-prefix")).isEqualTo(SqlQueueMigrations.DEFAULT_TABLE_PREFIX);
	}

	@Test
	void propertiesObjectStartsWithTheCoresDefaults() {
		SqlQueueProperties properties = new SqlQueueProperties();
		assertThat(properties.defaultQueueSettings()).isEqualTo(QueueSettings.defaults());
		assertThat(properties.toRetention()).isEqualTo(Retention.DEFAULT);
		assertThat(properties.maintenanceSettings()).isEqualTo(MaintenanceSettings.defaults());
		assertThat(properties.recurringSchedules()).isEmpty();
		assertThat(properties.queueSettings("unconfigured")).isEqualTo(QueueSettings.defaults());
	}

	private String text(String name) {
		JsonNode property = this.properties.get(name);
		assertThat(property).as(name).isNotNull();
		return property.get("defaultValue").asString();
	}

	private Duration duration(String name) {
		return DurationStyle.detectAndParse(text(name));
	}

	private int number(String name) {
		return this.properties.get(name).get("defaultValue").asInt();
	}

}
