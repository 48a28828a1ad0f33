package io.pgnode.host.testplugin.broken;

/** Left out of the broken plugin's jar on purpose: its subclass cannot be loaded there. */
public abstract class MissingBase {}
