// The time-zone picker (select[data-time-zone]): the zone this device is set to goes first in
// the list, labelled as such. Where the page only guessed the zone (data-time-zone-guess: the
// person has not chosen one), it is chosen for them; they still see it and can change it.
// Without JavaScript the list is the same, with the service's usual zone chosen.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("select[data-time-zone]").forEach(function (select) {
    var known = Array.prototype.filter.call(select.options, function (option) {
      return option.value === zone;
    })[0];
    if (!known) {
      return;
    }
    var label = select.getAttribute("data-device-label") || "%s";
    var option = document.createElement("option");
    option.value = zone;
    option.textContent = label.replace("%s", known.textContent);
    var group = select.querySelector("optgroup") || select;
    group.insertBefore(option, group.firstChild);
    if (select.hasAttribute("data-time-zone-guess")) {
      option.selected = true;
    } else if (known.selected) {
      known.selected = false;
      option.selected = true;
    }
  });
})();
