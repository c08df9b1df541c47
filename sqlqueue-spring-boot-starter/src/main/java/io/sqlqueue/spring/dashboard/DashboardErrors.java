package io.sqlqueue.spring.dashboard;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/**
 * How the dashboard's JSON endpoints refuse a request: a body whose {@code message} says why, with 400 for a bad
 * argument and the status a refusal names (403 for an action not allowed, 404 for no such job, ...).
 */
@RestControllerAdvice(assignableTypes = { DashboardActions.class, DashboardJobs.class, DashboardCluster.class,
		DashboardGroups.class })
class DashboardErrors {

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(Map.of("message", String.valueOf(ex.getMessage())));
	}

	@ExceptionHandler(ResponseStatusException.class)
	ResponseEntity<Map<String, Object>> refused(ResponseStatusException ex) {
		return ResponseEntity.status(ex.getStatusCode()).body(Map.of("message", String.valueOf(ex.getReason())));
	}

}
