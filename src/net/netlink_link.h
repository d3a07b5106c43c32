// Placeholder: pure RTM_NEWLINK parsing lands on a branch.
#pragma once
