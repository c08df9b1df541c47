package io.sqlqueue.spring.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the dashboard ({@code sqlqueue.dashboard.*}): off unless enabled, served by the application's
 * own servlet web server under {@link #getPath() path}.
 *
 * <pre>
 * sqlqueue:
 *   dashboard: { enabled: true, path: /sqlqueue, read-only: false }
 * </pre>
 */
@ConfigurationProperties("sqlqueue.dashboard")
public class DashboardProperties {

	/** The path the dashboard is served under unless configured. */
	public static final String DEFAULT_PATH = "/sqlqueue";

	/** How often an open dashboard page asks for fresh figures unless configured. */
	public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(5);

	/** Whether the dashboard is served (in a servlet web application). */
	private boolean enabled = false;

	/** The path the dashboard's pages and JSON endpoints are served under. */
	private String path = DEFAULT_PATH;

	/** Whether the dashboard only shows: no action (pause, retry, cancel, ...) is offered or accepted. */
	private boolean readOnly = false;

	/**
	 * Whether actions are allowed without Spring Security: anyone who can reach the path can then pause queues and
	 * retry, cancel or delete jobs. Only for demos and networks nobody else reaches.
	 */
	private boolean allowUnsecuredActions = false;

	/** How often an open page asks for fresh figures; the counts themselves change at each metrics sample. */
	private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		if (path == null || !path.matches("(/[A-Za-z0-9._~-]+)+")) {
			throw new IllegalArgumentException("sqlqueue.dashboard.path must be a path such as /sqlqueue or "
					+ "/admin/jobs (letters, digits, '.', '_', '~', '-' between slashes, no trailing slash), was '"
					+ path + "'");
		}
		this.path = path;
	}

	public boolean isReadOnly() {
		return this.readOnly;
	}

	public void setReadOnly(boolean readOnly) {
		this.readOnly = readOnly;
	}

	public boolean isAllowUnsecuredActions() {
		return this.allowUnsecuredActions;
	}

	public void setAllowUnsecuredActions(boolean allowUnsecuredActions) {
		this.allowUnsecuredActions = allowUnsecuredActions;
	}

	public Duration getRefreshInterval() {
		return this.refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		if (refreshInterval == null || refreshInterval.toMillis() < 100) {
			throw new IllegalArgumentException(
					"sqlqueue.dashboard.refresh-interval must be at least 100ms, was " + refreshInterval);
		}
		this.refreshInterval = refreshInterval;
	}

}
