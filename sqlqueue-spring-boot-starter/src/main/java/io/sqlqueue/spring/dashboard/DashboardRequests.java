package io.sqlqueue.spring.dashboard;

import java.security.Principal;
import java.util.Collection;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * Who may act on the dashboard, and the log line of every action: the read-only property first, then the
 * {@link DashboardAccess} bean.
 */
final class DashboardRequests {

	private static final Log logger = LogFactory.getLog("io.sqlqueue.spring.dashboard.actions");

	private final DashboardProperties properties;

	private final DashboardAccess access;

	DashboardRequests(DashboardProperties properties, DashboardAccess access) {
		this.properties = properties;
		this.access = access;
	}

	boolean mayAct(HttpServletRequest request, String action) {
		return !this.properties.isReadOnly() && this.access.mayAct(request, action);
	}

	/** Refuses the request with 403 unless its user may take {@code action}. */
	void requireAction(HttpServletRequest request, String action) {
		if (!mayAct(request, action)) {
			throw new ResponseStatusException(HttpStatus.FORBIDDEN, "The dashboard does not allow '" + action
					+ "' to this user" + (this.properties.isReadOnly() ? " (sqlqueue.dashboard.read-only is true)" : ""));
		}
	}

	/** Logs what {@code request}'s user did to which jobs or queue. */
	void logAction(HttpServletRequest request, String action, String target, Collection<Long> jobIds) {
		if (logger.isInfoEnabled()) {
			logger.info("sqlqueue dashboard: user '" + user(request) + "' " + action + (target.isEmpty() ? "" : " " + target)
					+ ((jobIds != null) ? " jobs " + jobIds : ""));
		}
	}

	static String user(HttpServletRequest request) {
		Principal principal = request.getUserPrincipal();
		return (principal != null) ? principal.getName() : "anonymous (" + request.getRemoteAddr() + ")";
	}

}
