"""The coordinators' workspace: the queue, supporters, pairings at risk, reassigning a pair
and the service's health. Views only; writes go through the apps' services."""
