package io.pgnode.plugin.xray;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the node and its plugins ({@code io.pgnode.*} loggers) log at INFO and above while open, i.e. what an
 * operator reads in the node's log. A plugin logs through the node's slf4j, so its lines land here too.
 */
final class CapturedNodeLogs implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.pgnode");
    private final Level level = logger.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CapturedNodeLogs() {
        logger.setLevel(Level.INFO); // the tests' logback config keeps the console at WARN
        appender.start();
        logger.addAppender(appender);
    }

    /** "LEVEL logger - message" of each event so far, with the messages of any attached exceptions. */
    List<String> lines() {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under the appender's monitor
            events = List.copyOf(appender.list);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events) {
            StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ')
                    .append(event.getLoggerName()).append(" - ").append(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" <- ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }
}
