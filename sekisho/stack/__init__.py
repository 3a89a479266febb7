"""The local stack the demo and the tests start: Mosquitto brokers and Sekisho processes."""
