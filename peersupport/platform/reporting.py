"""Error reports never carry what a person typed."""

from django.views.debug import SafeExceptionReporterFilter


class NoPostDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        # Local variables can hold form data; a report shows their names only.
        return [(name, self.cleansed_substitute) for name, _value in tb_frame.f_locals.items()]
